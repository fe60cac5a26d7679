/** Any path under `/console/` the console has no page for. */
export function NotFoundPage() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        This console page does not exist. <a href="/console/">Go to the inbox</a>.
      </p>
    </section>
  );
}
