package dev.ebbtide.scheduler.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns stored chunks into what {@code GET /jobs/{id}/logs} answers: one rank's output as it was written, or every
 * rank's, each after a header line. A rank cut at the size cap ends with a {@code [truncated]} line. The text only
 * grows while a job runs, so a client follows it by asking again from the byte offset it has read up to.
 */
public final class LogText {
    public static final String TRUNCATED = "[truncated: the rest of this rank's output was over the size limit]\n";

    private LogText() {}

    /**
     * @param pieces  the chunks in rank, then seq order
     * @param headers whether each rank starts with a header line (when every rank is shown)
     * @param offset  bytes of the result to skip (a follower's position); past the end gives nothing
     */
    public static byte[] render(List<JobLogStore.Piece> pieces, boolean headers, long offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Integer rank = null;
        boolean truncated = false;
        byte last = '\n';
        for (JobLogStore.Piece p : pieces) {
            if (rank == null || p.rank() != rank) {
                if (rank != null) {
                    last = endRank(out, truncated, last);
                }
                rank = p.rank();
                truncated = false;
                if (headers) {
                    out.writeBytes(("==> rank " + p.rank() + (p.node() == null ? "" : " on " + p.node()) + " (attempt "
                                    + p.attempt() + ") <==\n")
                            .getBytes(StandardCharsets.UTF_8));
                    last = '\n';
                }
            }
            if (p.data() == null) {
                truncated = true;
            } else if (!truncated && p.data().length > 0) {
                out.writeBytes(p.data());
                last = p.data()[p.data().length - 1];
            }
        }
        if (rank != null && truncated) {
            endRank(out, true, last);
        }
        byte[] all = out.toByteArray();
        if (offset <= 0) {
            return all;
        }
        return offset >= all.length ? new byte[0] : Arrays.copyOfRange(all, (int) offset, all.length);
    }

    /** Closes one rank's section: the truncation line if it was cut, and a line break before the next header. */
    private static byte endRank(ByteArrayOutputStream out, boolean truncated, byte last) {
        if (truncated) {
            if (last != '\n') {
                out.write('\n');
            }
            out.writeBytes(TRUNCATED.getBytes(StandardCharsets.UTF_8));
            return '\n';
        }
        return last;
    }
}
