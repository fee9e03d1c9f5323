"use client";
// Light/dark switch: Bootstrap's data-bs-theme on <html>. Until the user picks one (remembered in
// localStorage) the theme follows the system's prefers-color-scheme, changes included: the inline
// script in the layout applies either before first paint and listens for the system's changes.
import { useEffect, useState } from "react";

export const THEME_STORAGE_KEY = "tickstream-theme";
export type Theme = "light" | "dark";

const LIGHT_QUERY = "(prefers-color-scheme: light)";

/**
 * Runs before hydration: the saved (else the system's) theme paints first (no flash), and while no
 * choice is saved the theme follows the system's changes — from here, not from a React effect, so a
 * change before hydration finishes is not missed.
 */
export const THEME_INIT_SCRIPT = `try{var k="${THEME_STORAGE_KEY}",q=matchMedia("${LIGHT_QUERY}"),d=document.documentElement,s=function(){var t=localStorage.getItem(k);return t==="light"||t==="dark"?t:null},a=function(){d.setAttribute("data-bs-theme",s()||(q.matches?"light":"dark"))};a();q.addEventListener("change",function(){if(s()===null)a()})}catch(e){}`;

function currentTheme(): Theme {
  return document.documentElement.getAttribute("data-bs-theme") === "light" ? "light" : "dark";
}

/** The page's theme, following changes made by the toggle. */
export function useTheme(): Theme {
  const [theme, setTheme] = useState<Theme>("dark");
  useEffect(() => {
    setTheme(currentTheme());
    const observer = new MutationObserver(() => setTheme(currentTheme()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-bs-theme"] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

export function ThemeToggle() {
  const theme = useTheme();
  const next: Theme = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="btn btn-sm btn-outline-secondary"
      data-testid="theme-toggle"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        document.documentElement.setAttribute("data-bs-theme", next);
        try {
          localStorage.setItem(THEME_STORAGE_KEY, next);
        } catch {
          // Private mode: the choice lasts for this page only.
        }
      }}
    >
      {theme === "dark" ? "☀ Light" : "☾ Dark"}
    </button>
  );
}
