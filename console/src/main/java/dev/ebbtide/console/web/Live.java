package dev.ebbtide.console.web;

import dev.ebbtide.console.api.Services.ApiException;
import dev.ebbtide.console.config.ConsoleConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A page's live stream: every {@code refresh-interval} the page's fragments are rendered again from the services'
 * answers (asked on a worker thread with the caller's token) and sent as named server-sent events, which htmx swaps
 * into the page ({@code sse-swap="<name>"}). The console keeps nothing between ticks.
 */
@ApplicationScoped
public class Live {
    @Inject
    ConsoleConfig config;

    /**
     * @param fragments renders the fragments of one tick: event name → HTML; an API's refusal becomes an
     *                  {@code error} event with its sentence
     */
    public Multi<OutboundSseEvent> stream(Sse sse, Supplier<Map<String, String>> fragments) {
        return Multi.createFrom()
                .ticks()
                .startingAfter(java.time.Duration.ofMillis(1))
                .every(config.refreshInterval())
                .onOverflow()
                .drop()
                .onItem()
                .transformToUniAndConcatenate(tick -> Uni.createFrom()
                        .item(() -> events(sse, fragments))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .onItem()
                .disjoint();
    }

    private static List<OutboundSseEvent> events(Sse sse, Supplier<Map<String, String>> fragments) {
        List<OutboundSseEvent> out = new ArrayList<>();
        try {
            fragments
                    .get()
                    .forEach((name, html) -> out.add(sse.newEventBuilder()
                            .name(name)
                            .data(String.class, html)
                            .build()));
        } catch (ApiException e) {
            out.add(sse.newEventBuilder()
                    .name("error")
                    .data(String.class, e.getMessage())
                    .build());
        }
        return out;
    }
}
