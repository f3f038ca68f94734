import { useEffect } from 'preact/hooks';
import { useStored } from '../hooks.js';
import { Icon } from '../parts/icon.js';

const ORDER = ['system', 'light', 'dark'] as const;
type Theme = (typeof ORDER)[number];

/** System (prefers-color-scheme), light or dark; kept in localStorage and applied before paint by index.html. */
export function ThemeToggle() {
  const [stored, setStored] = useStored('agent-sdk.console.theme', 'system');
  const theme: Theme = (ORDER as readonly string[]).includes(stored) ? (stored as Theme) : 'system';
  const next = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
  useEffect(() => applyTheme(theme), [theme]);
  return (
    <button
      type="button"
      class="btn btn-ghost theme-toggle"
      onClick={() => {
        applyTheme(next);
        setStored(next === 'system' ? '' : next);
      }}
      aria-label={`Theme: ${theme}. Switch to ${next}`}
      title={`Theme: ${theme} (click for ${next})`}
    >
      <Icon name={theme === 'light' ? 'sun' : theme === 'dark' ? 'moon' : 'system'} />
      <span class="theme-name">{theme}</span>
    </button>
  );
}

function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
