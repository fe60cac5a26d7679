/** A one-line text input bound to a string state (placeholder, test id). */
export function TextField(props: {
  value: string;
  onValue(value: string): void;
  placeholder: string;
  testId?: string;
}) {
  return (
    <input
      placeholder={props.placeholder}
      data-testid={props.testId}
      value={props.value}
      onInput={(e) => props.onValue((e.target as HTMLInputElement).value)}
    />
  );
}
