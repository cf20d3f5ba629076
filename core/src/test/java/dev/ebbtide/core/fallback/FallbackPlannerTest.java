package dev.ebbtide.core.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FallbackPlannerTest {
    static final List<Choice> CHOICES = List.of(
            new Choice("Standard_NC6s_v3", "low_priority"),
            new Choice("Standard_NC12s_v3", "low_priority"),
            new Choice("Standard_NC6s_v3", "dedicated"));

    /** tried: indexes ("-" none); next: "try <index> <size> <tier>", "exhausted <n>" or "not eligible". */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            capacity on the first tries the second              | 0     | CAPACITY          | try 1 Standard_NC12s_v3 low_priority
            sku not available on the second tries dedicated     | 0,1   | SKU_NOT_AVAILABLE | try 2 Standard_NC6s_v3 dedicated
            quota on Spot tries the next choice                 | 0     | QUOTA             | try 1 Standard_NC12s_v3 low_priority
            every choice tried: back off                        | 0,1,2 | CAPACITY          | exhausted 3
            a throttled call does not change size               | 0     | OTHER             | not eligible
            order holds when a later one was tried first        | 1     | CAPACITY          | try 0 Standard_NC6s_v3 low_priority
            nothing tried yet starts at the cluster's own       | -     | CAPACITY          | try 0 Standard_NC6s_v3 low_priority
            """)
    void decides(String name, String tried, Failure failure, String expected) {
        Set<Integer> t = "-".equals(tried)
                ? Set.of()
                : Arrays.stream(tried.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
        assertEquals(expected, render(FallbackPlanner.next(CHOICES, t, failure)), name);
    }

    @org.junit.jupiter.api.Test
    void aClusterWithoutAlternativesIsExhaustedAfterItsOwn() {
        assertEquals("exhausted 1", render(FallbackPlanner.next(List.of(CHOICES.get(0)), Set.of(0), Failure.CAPACITY)));
    }

    private static String render(FallbackPlanner.Next next) {
        if (next instanceof FallbackPlanner.Next.Try t) {
            return "try " + t.index() + " " + t.choice().size() + " "
                    + t.choice().tier();
        }
        if (next instanceof FallbackPlanner.Next.Exhausted e) {
            return "exhausted " + e.tried();
        }
        return "not eligible";
    }
}
