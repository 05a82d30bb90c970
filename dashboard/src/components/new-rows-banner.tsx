// "N new messages": the list never grows on its own; the reader decides when to look.
export function NewRowsBanner({ count, lowerBound, noun, onShow }: { count: number; lowerBound: boolean; noun: [string, string]; onShow: () => void }) {
  return (
    // Always rendered, so screen readers announce the button when it appears.
    <div className="new-rows" role="status" aria-live="polite">
      {count > 0 && (
        <button type="button" className="button new-rows-button" onClick={onShow}>
          {count}{lowerBound ? "+" : ""} new {count === 1 ? noun[0] : noun[1]} — show
        </button>
      )}
    </div>
  );
}
