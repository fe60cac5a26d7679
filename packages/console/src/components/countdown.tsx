/** A live countdown to a deadline (RFC 3339), ticking once a second. */
import { useEffect, useState } from 'preact/hooks';
import { timeLeft } from '../lib/format.js';

export function Countdown({ deadline }: { deadline: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = timeLeft(deadline, now);
  return (
    <time
      dateTime={deadline}
      class={left === 'passed' ? 'deadline passed' : 'deadline'}
      title={deadline}
    >
      {left === 'passed' ? 'deadline passed' : `${left} left`}
    </time>
  );
}
