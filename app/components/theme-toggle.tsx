"use client";
// Light/dark switch: Bootstrap's data-bs-theme on <html>, remembered in localStorage (the inline
// script in the layout applies it before first paint).
import { useEffect, useState } from "react";

export const THEME_STORAGE_KEY = "tickstream-theme";
export type Theme = "light" | "dark";

/** Runs before hydration so the saved theme paints first (no flash). */
export const THEME_INIT_SCRIPT = `try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");if(t==="light"||t==="dark")document.documentElement.setAttribute("data-bs-theme",t)}catch(e){}`;

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
