export function NotFoundPage() {
  return (
    <>
      <h1>Not found</h1>
      <p class="muted">
        There is no page here. <a href="/">Go to the start</a>.
      </p>
    </>
  );
}
