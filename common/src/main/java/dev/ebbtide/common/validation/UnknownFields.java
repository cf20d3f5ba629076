package dev.ebbtide.common.validation;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;

/** One sentence for fields a request does not know, suggesting the closest known name (a misspelling). */
public final class UnknownFields {
    private UnknownFields() {}

    /** Empty when {@code given} holds only known names; else e.g. "unknown field 'max_instance' (did you mean 'max_instances'?)…". */
    public static Optional<String> problem(Collection<String> given, Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>(given);
        unknown.removeAll(known);
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        String first = unknown.first();
        String guess = known.stream()
                .min(Comparator.comparingInt(k -> distance(first, k)))
                .filter(k -> distance(first, k) <= 3)
                .map(k -> " (did you mean '" + k + "'?)")
                .orElse("");
        return Optional.of(
                "unknown field '" + first + "'" + guess + "; known fields: " + String.join(", ", new TreeSet<>(known)));
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
