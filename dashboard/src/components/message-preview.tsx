// What a message would be, as preview-message answers: the text with the characters that force
// UCS-2 marked, its length, encoding and SMS segments, and the API's warnings.
import type { PreviewResult } from "../../../supabase/functions/_shared/api-types.ts";

/** The body with each character outside GSM-7 in a <mark>. */
function MarkedBody({ body, nonGsm }: { body: string; nonGsm: readonly string[] }) {
  if (nonGsm.length === 0) return <>{body}</>;
  const marked = new Set(nonGsm);
  const parts: (string | { char: string })[] = [];
  for (const char of body) {
    if (marked.has(char)) parts.push({ char });
    else if (typeof parts.at(-1) === "string") parts[parts.length - 1] += char;
    else parts.push(char);
  }
  return <>{parts.map((part, i) => (typeof part === "string" ? part : <mark key={i} title="Not in GSM-7: the message is sent as UCS-2">{part.char}</mark>))}</>;
}

export function MessagePreview({ preview }: { preview: PreviewResult }) {
  const perSegment = preview.encoding === "GSM-7" ? (preview.segments === 1 ? 160 : 153) : (preview.segments === 1 ? 70 : 67);
  return (
    <div className="message-preview" data-testid="message-preview">
      <p className="sms-bubble" aria-label="Rendered message">
        {preview.body === "" ? <span className="muted">(empty)</span> : <MarkedBody body={preview.body} nonGsm={preview.nonGsmCharacters} />}
      </p>
      <dl className="facts preview-facts">
        <div><dt>Characters</dt><dd data-fact="characters">{preview.characters}</dd></div>
        <div><dt>Encoding</dt><dd data-fact="encoding">{preview.encoding}</dd></div>
        <div><dt>Segments</dt><dd data-fact="segments">{preview.segments}</dd></div>
        <div><dt>Per segment</dt><dd>{perSegment} characters</dd></div>
      </dl>
      {preview.nonGsmCharacters.length > 0 && (
        <p className="small">
          Forcing UCS-2: {preview.nonGsmCharacters.map((c) => <code key={c} className="char-chip">{c}</code>)}
        </p>
      )}
      {preview.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {preview.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
    </div>
  );
}
