package dev.ebbtide.submitter.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A call reaches a live scheduler instance while any other is down or failing; a 4xx is an answer, not a failure. */
class SchedulersTest {
    /**
     * One scheduler instance: answers every call with {@code answer} and counts the calls. A proxy, not a class
     * implementing {@link SchedulerClient}: Quarkus REST would take such a class for a resource of the test app.
     */
    static final class Instance {
        final Supplier<Uni<Response>> answer;
        int calls;

        Instance(Supplier<Uni<Response>> answer) {
            this.answer = answer;
        }

        SchedulerClient client() {
            return (SchedulerClient) java.lang.reflect.Proxy.newProxyInstance(
                    SchedulerClient.class.getClassLoader(), new Class<?>[] {SchedulerClient.class}, (p, m, a) -> {
                        if (m.getDeclaringClass() == Object.class) {
                            return m.invoke(this, a);
                        }
                        calls++;
                        return answer.get();
                    });
        }
    }

    static Instance down() {
        return new Instance(() -> Uni.createFrom().failure(new ConnectException("Connection refused")));
    }

    static Instance answering(int status) {
        return new Instance(() -> Uni.createFrom().item(Response.status(status).build()));
    }

    static Instance throwing(int status) {
        return new Instance(() -> Uni.createFrom().failure(new WebApplicationException(status)));
    }

    static Schedulers of(Instance... instances) {
        List<URI> urls = java.util.stream.IntStream.range(0, instances.length)
                .mapToObj(i -> URI.create("http://scheduler-" + (i + 1) + ":8082"))
                .toList();
        return new Schedulers(
                urls, java.util.Arrays.stream(instances).map(Instance::client).toList());
    }

    static int status(Schedulers s) {
        return s.call(c -> c.job("j", "Bearer t")).await().indefinitely().getStatus();
    }

    @Test
    void everyLookUpIsAnsweredWhileTheFirstInstanceIsDown() {
        Instance first = down();
        Instance second = answering(200);
        Schedulers s = of(first, second);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, status(s));
        }
        assertEquals(4, second.calls);
        assertEquals(2, first.calls); // asked first every other call (round robin), then skipped
    }

    @Test
    void aServerErrorMovesOnToTheNextInstance() {
        Instance failing = answering(500);
        Instance unavailable = throwing(503);
        Instance live = answering(200);
        Schedulers s = of(failing, unavailable, live);
        assertEquals(200, status(s));
        assertEquals(200, status(s));
        assertEquals(200, status(s));
        assertEquals(3, live.calls);
    }

    @Test
    void aClientErrorIsTheAnswerAndNoOtherInstanceIsAsked() {
        Instance notFound = throwing(404);
        Instance other = answering(200);
        Schedulers s = of(notFound, other);
        assertEquals(404, status(s));
        assertEquals(0, other.calls);
        Instance conflict = answering(409);
        assertEquals(409, status(of(conflict, answering(200))));
    }

    @Test
    void whenEveryInstanceFailsTheCallerSeesTheLastFailureOr502() {
        assertEquals(502, status(of(down(), down())));
        assertEquals(503, status(of(down(), answering(503))));
    }

    @Test
    void aCancelIsSentToOneLiveInstanceOnly() {
        Instance first = down();
        Instance second = answering(200);
        Instance third = answering(200);
        Schedulers s = of(first, second, third);
        assertEquals(
                200,
                s.call(c -> c.cancel("j", "Bearer t")).await().indefinitely().getStatus());
        assertEquals(1, second.calls + third.calls);
    }
}
