import Link from "next/link";

export default function NotFound() {
  return (
    <div className="alert alert-secondary" data-testid="not-found">
      <h2 className="h5">Not found</h2>
      <p className="mb-2">No such symbol or page.</p>
      <Link href="/">Back to the market overview</Link>
    </div>
  );
}
