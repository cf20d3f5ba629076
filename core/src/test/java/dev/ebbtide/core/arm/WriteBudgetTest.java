package dev.ebbtide.core.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WriteBudgetTest {
    private static final Instant T0 = Instant.parse("2026-12-08T03:00:00Z");

    /**
     * A budget of capacity 3 refilled at 2 per second, full at 0 ms, then a script of steps at given milliseconds:
     * {@code w@ms} a write sent, {@code r<n>[/<k>]@ms} the server said n remain (k other writes in flight), {@code t<s>@ms} a 429 with Retry-After s
     * seconds ({@code t-} without one). Expected: milliseconds after 0 when the next write may go, asked at
     * {@code askMs}, and the whole tokens the gauge shows then.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a full bucket lets the write go at once          |                          | 0    | 0    | 3
            two writes leave one: still at once               | w@0 w@0                  | 0    | 0    | 1
            an empty bucket waits one refill (500 ms)         | w@0 w@0 w@0              | 0    | 500  | 0
            asked later, part of the refill has passed        | w@0 w@0 w@0              | 200  | 500  | 0
            after the refill it goes at once                  | w@0 w@0 w@0              | 600  | 600  | 1
            the refill never exceeds the capacity             | w@0                      | 9000 | 9000 | 3
            the server's lower count wins                     | r0@0                     | 0    | 500  | 0
            the server's higher count is not trusted          | w@0 w@0 r150@0           | 0    | 0    | 1
            writes still in flight are taken off its count    | r2/1@0                   | 0    | 0    | 1
            two in flight of a count of 2 leave nothing       | r2/2@0                   | 0    | 500  | 0
            Retry-After holds writes back though tokens refill | t2@0                     | 600  | 2000 | 1
            Retry-After ends: the refilled tokens are usable  | t2@0                     | 2100 | 2100 | 3
            a shorter second Retry-After keeps the first      | t5@0 t1@100              | 200  | 5000 | 0
            a longer second Retry-After extends it            | t1@0 t5@100              | 200  | 5100 | 0
            a 429 without Retry-After waits one token's time  | t-@0                     | 0    | 500  | 0
            racing writes overspend: the debt is refilled too | w@0 w@0 w@0 w@0 w@0      | 0    | 1500 | 0
            """)
    void decidesWhenTheNextWriteMayGo(String name, String script, long askMs, long expectedMs, long remaining) {
        WriteBudget b = WriteBudget.full(3, 2.0, T0);
        if (script != null) {
            for (String step : script.trim().split("\\s+")) {
                String[] p = step.split("@");
                Instant at = T0.plusMillis(Long.parseLong(p[1]));
                String what = p[0];
                if (what.equals("w")) {
                    b = b.spent(at);
                } else if (what.startsWith("r")) {
                    String[] n = what.substring(1).split("/");
                    b = n.length == 1
                            ? b.observed(Long.parseLong(n[0]), at)
                            : b.observed(Long.parseLong(n[0]), Integer.parseInt(n[1]), at);
                } else if (what.equals("t-")) {
                    b = b.throttled(null, at);
                } else {
                    b = b.throttled(Duration.ofSeconds(Long.parseLong(what.substring(1))), at);
                }
            }
        }
        Instant ask = T0.plusMillis(askMs);
        assertEquals(T0.plusMillis(expectedMs), b.nextWriteAt(ask), name);
        assertEquals(remaining, b.remaining(ask), name + " (remaining)");
        assertEquals(Duration.ofMillis(expectedMs - askMs), b.waitBeforeWrite(ask), name + " (wait)");
    }

    @ParameterizedTest(name = "{0} writes, bucket {1}, refill {2}/s: {3} ms")
    @CsvSource({"500, 200, 10, 30000", "200, 200, 10, 0", "100, 200, 10, 0", "1000, 200, 10, 80000", "7, 3, 2, 2000"})
    void theCeilingIsWhatTheBucketAllows(int writes, int capacity, double refill, long expectedMs) {
        assertEquals(Duration.ofMillis(expectedMs), WriteBudget.ceiling(writes, capacity, refill));
    }
}
