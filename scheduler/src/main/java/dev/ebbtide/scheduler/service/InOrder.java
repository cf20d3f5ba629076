package dev.ebbtide.scheduler.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs steps one after the other. A loop, not a chain of {@code Uni.chain} calls: hundreds of steps that complete at
 * once (in-memory persists, prefetched look-ups) would otherwise nest that deep on the event loop's stack.
 */
final class InOrder {
    private InOrder() {}

    static <T> Uni<Void> each(List<T> items, Function<T, Uni<Void>> step) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom()
                .iterable(items)
                .onItem()
                .transformToUniAndConcatenate(step::apply)
                .collect()
                .last()
                .replaceWithVoid();
    }

    static Uni<Void> run(List<Supplier<Uni<Void>>> steps) {
        return each(steps, Supplier::get);
    }
}
