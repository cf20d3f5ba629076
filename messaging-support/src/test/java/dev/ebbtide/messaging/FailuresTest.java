package dev.ebbtide.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailuresTest {
    @ParameterizedTest
    @CsvSource({
        "08006,true",
        "08001,true",
        "53300,true",
        "57P01,true",
        "57P03,true",
        "57014,true",
        "40001,true",
        "23505,false",
        "22P02,false",
        "42P01,false"
    })
    void sqlStatesOfAnUnavailableDatabaseAreTransient(String state, boolean transientState) {
        Optional<String> d = Failures.transientDependency(new CompletionException(new SQLException("x", state)));
        assertEquals(transientState ? Optional.of("PostgreSQL") : Optional.empty(), d);
    }

    @Test
    void connectionsAndKafkaTimeoutsAreTransientOwnSentencesAreNot() {
        assertEquals(
                Optional.of("Kafka"),
                Failures.transientDependency(
                        new RuntimeException(new org.apache.kafka.common.errors.TimeoutException("expired"))));
        assertEquals(
                Optional.of("a dependency"), Failures.transientDependency(new ConnectException("Connection refused")));
        assertEquals(
                Optional.empty(), Failures.transientDependency(new IllegalArgumentException("timeout must be >= 1")));
        assertEquals(Optional.empty(), Failures.transientDependency(new NullPointerException()));
        assertEquals(
                Optional.of("Kafka"),
                Failures.transientDependency(
                        new IllegalStateException("SRMSG00034: Insufficient downstream requests to emit item")));
    }
}
