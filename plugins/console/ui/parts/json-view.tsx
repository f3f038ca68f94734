import { Component } from 'preact';
import { useState } from 'preact/hooks';
import { copyText, useApp } from '../hooks.js';
import { Icon } from './icon.js';

interface JsonViewProps {
  readonly value: unknown;
  readonly label?: string;
}

/**
 * Pretty JSON with its tokens coloured (keys, strings, numbers, literals). Arguments and results never
 * change once shown, so a card re-rendered while its run streams skips its JSON entirely.
 */
export class JsonView extends Component<JsonViewProps> {
  override shouldComponentUpdate(next: JsonViewProps): boolean {
    return next.value !== this.props.value || next.label !== this.props.label;
  }

  override render({ value, label }: JsonViewProps) {
    return (
      <pre class="json" aria-label={label} tabIndex={0}>
        <code>{highlight(stringify(value))}</code>
      </pre>
    );
  }
}

export function stringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

const TOKEN = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

function highlight(text: string) {
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  let n = 0;
  // Long payloads are shown plain: colouring 100 KB of JSON is not worth the frame.
  if (text.length > 60_000) return text;
  for (const match of text.matchAll(TOKEN)) {
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const cls = match[1] ? (match[2] ? 'j-key' : 'j-str') : match[3] ? 'j-lit' : 'j-num';
    out.push(
      <span key={n++} class={cls}>
        {match[1] ?? match[0]}
      </span>,
    );
    if (match[2]) out.push(match[2]);
    last = at + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A button that copies text and says so (visibly and through the live region). */
export function CopyButton({ text, label = 'Copy', what = 'Text' }: { text: string | (() => string); label?: string; what?: string }) {
  const { announce } = useApp();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-ghost btn-small"
      onClick={async () => {
        const ok = await copyText(typeof text === 'function' ? text() : text);
        announce(ok ? `${what} copied to the clipboard` : 'Copying failed: select the text and copy it by hand');
        if (ok) {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        }
      }}
    >
      <Icon name={done ? 'check' : 'copy'} size={14} />
      <span>{done ? 'Copied' : label}</span>
    </button>
  );
}
