package dev.ebbtide.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void chunksAreAtMost64KiBAtMostOnePerSecondAndNeverSplitACharacter() throws Exception {
        Path log = tmp.resolve("rank-0.log");
        String text = "é".repeat(40_000) + "end\n"; // 80 004 bytes, 2 bytes per é
        Files.writeString(log, text);
        LogTail tail = new LogTail(log, tmp.resolve("pos"));
        LogTail.Chunk first = tail.next(T0);
        assertEquals(0, first.seq());
        assertTrue(first.data().getBytes(StandardCharsets.UTF_8).length <= LogTail.MAX_CHUNK);
        assertNull(tail.next(T0.plusMillis(999)), "at most one chunk per second");
        LogTail.Chunk second = tail.next(T0.plusSeconds(1));
        assertEquals(1, second.seq());
        assertEquals(text, first.data() + second.data());
        assertNull(tail.next(T0.plusSeconds(5)), "nothing new");
        List<LogTail.Chunk> rest = tail.rest();
        assertEquals(1, rest.size());
        assertTrue(
                rest.get(0).eof() && rest.get(0).data().isEmpty() && rest.get(0).seq() == 2);
    }

    @Test
    void aRestartedAgentGoesOnWhereTheLastOneStopped() throws Exception {
        Path log = tmp.resolve("rank-1.log");
        Files.writeString(log, "one\n");
        new LogTail(log, tmp.resolve("pos1")).next(T0);
        Files.writeString(log, "two\n", java.nio.file.StandardOpenOption.APPEND);
        List<LogTail.Chunk> rest = new LogTail(log, tmp.resolve("pos1")).rest();
        assertEquals("two\n", rest.stream().map(LogTail.Chunk::data).collect(Collectors.joining()));
        assertEquals(1, rest.get(0).seq());
        assertTrue(rest.get(rest.size() - 1).eof());
    }
}
