export default function Loading() {
  return (
    <div className="placeholder-glow" data-testid="symbol-loading">
      <span className="placeholder col-3 mb-3" style={{ height: 32 }} />
      <span className="placeholder col-12" style={{ height: 360 }} />
    </div>
  );
}
