"use client";
// Light/dark switch: Bootstrap's data-bs-theme on <html>. Until the user picks one (remembered in
// localStorage) the theme follows the system's prefers-color-scheme, changes included; the inline
// script in the layout applies either before first paint.
import { useEffect, useState } from "react";

export const THEME_STORAGE_KEY = "tickstream-theme";
export type Theme = "light" | "dark";

const LIGHT_QUERY = "(prefers-color-scheme: light)";

/** Runs before hydration so the saved (else the system's) theme paints first (no flash). */
export const THEME_INIT_SCRIPT = `try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");if(t!=="light"&&t!=="dark")t=matchMedia("${LIGHT_QUERY}").matches?"light":"dark";document.documentElement.setAttribute("data-bs-theme",t)}catch(e){}`;

function savedTheme(): Theme | null {
  try {
    const saved = localStorage.getItem(THEME_STORAGE_KEY);
    return saved === "light" || saved === "dark" ? saved : null;
  } catch {
    return null;
  }
}

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
  // Follows the system while no choice is saved.
  useEffect(() => {
    const query = window.matchMedia(LIGHT_QUERY);
    const follow = () => {
      if (savedTheme() === null) document.documentElement.setAttribute("data-bs-theme", query.matches ? "light" : "dark");
    };
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, []);
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
