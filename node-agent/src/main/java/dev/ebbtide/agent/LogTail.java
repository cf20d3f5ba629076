package dev.ebbtide.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Follows one rank's log file and cuts it into chunks of at most 64 KiB, at most one per second (the final flush
 * sends what is left at once). Where it is ({@code seq offset}) is kept in a file so a restarted agent goes on.
 */
final class LogTail {
    static final int MAX_CHUNK = 64 * 1024;
    static final Duration MIN_GAP = Duration.ofSeconds(1);

    /** One piece to send. */
    record Chunk(long seq, String data, boolean eof) {}

    private final Path log;
    private final Path posFile;
    private long seq;
    private long offset;
    private Instant lastSent = Instant.EPOCH;

    LogTail(Path log, Path posFile) {
        this.log = log;
        this.posFile = posFile;
        try {
            if (Files.exists(posFile)) {
                String[] p = Files.readString(posFile).trim().split(" ");
                seq = Long.parseLong(p[0]);
                offset = Long.parseLong(p[1]);
            }
        } catch (IOException | RuntimeException e) {
            seq = 0;
            offset = 0;
        }
    }

    /** The next chunk when one is due (new output and a second since the last), else null. */
    Chunk next(Instant now) {
        if (Duration.between(lastSent, now).compareTo(MIN_GAP) < 0) {
            return null;
        }
        String data = read();
        if (data == null) {
            return null;
        }
        lastSent = now;
        return advance(data, false);
    }

    /** Everything left, the last chunk with {@code eof}; at least one chunk. */
    java.util.List<Chunk> rest() {
        java.util.List<Chunk> out = new java.util.ArrayList<>();
        String data;
        while ((data = read()) != null) {
            out.add(advance(data, false));
        }
        out.add(advance("", true));
        return out;
    }

    private Chunk advance(String data, boolean eof) {
        Chunk c = new Chunk(seq++, data, eof);
        savePosition();
        return c;
    }

    /** Up to 64 KiB from the offset, cut at a UTF-8 character boundary; null when nothing new. */
    private String read() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long available = f.length() - offset;
            if (available <= 0) {
                return null;
            }
            byte[] buf = new byte[(int) Math.min(MAX_CHUNK, available)];
            f.seek(offset);
            f.readFully(buf);
            int len = buf.length;
            if (available > buf.length) {
                int back = 0;
                while (back < 3 && len - back > 0 && (buf[len - back - 1] & 0xC0) == 0x80) {
                    back++;
                }
                if (len - back > 0 && (buf[len - back - 1] & 0xC0) == 0xC0) {
                    len = len - back - 1; // a multi-byte character starts here: keep it whole for the next chunk
                }
            }
            offset += len;
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(buf, 0, len))
                    .toString();
        } catch (IOException e) {
            return null;
        }
    }

    private void savePosition() {
        try {
            Path tmp = posFile.resolveSibling(posFile.getFileName() + ".tmp");
            Files.writeString(tmp, seq + " " + offset + "\n");
            Files.move(tmp, posFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // at worst a restarted agent sends some output again under new sequence numbers
        }
    }
}
