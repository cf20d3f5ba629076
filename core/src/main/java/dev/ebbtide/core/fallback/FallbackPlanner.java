package dev.ebbtide.core.fallback;

import java.util.List;
import java.util.Set;

/**
 * Which choice to try next after a failure. On a capacity, SKU-not-available or quota failure, the first choice (in
 * the cluster's order) not yet tried, at once; any other failure is not a reason to change size: it follows the usual
 * retry and backoff. Only when every choice was tried does the cluster back off. Pure.
 */
public final class FallbackPlanner {
    private FallbackPlanner() {}

    /** What to do after a failure. */
    public sealed interface Next {
        /** Try this choice now. */
        record Try(int index, Choice choice) implements Next {}

        /** Every choice was tried: back off. */
        record Exhausted(int tried) implements Next {}

        /** The failure is not one another size or tier can help with: retry and back off as usual. */
        record NotEligible(Failure failure) implements Next {}
    }

    /**
     * @param choices the cluster's own (size, tier) first, then its alternatives, in order
     * @param tried   the indexes of the choices tried in this scale-up
     * @param failure why the last one failed
     */
    public static Next next(List<Choice> choices, Set<Integer> tried, Failure failure) {
        if (failure == Failure.OTHER) {
            return new Next.NotEligible(failure);
        }
        for (int k = 0; k < choices.size(); k++) {
            if (!tried.contains(k)) {
                return new Next.Try(k, choices.get(k));
            }
        }
        return new Next.Exhausted(tried.size());
    }
}
