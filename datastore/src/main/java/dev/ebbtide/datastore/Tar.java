package dev.ebbtide.datastore;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The tar format, written and read here rather than pulled in: POSIX ustar headers, with a PAX extended header
 * ({@code path=}) for names that are over 100 bytes or not ASCII; reading also takes GNU long names ({@code L}).
 * Deterministic: mtime 0, uid/gid 0, no user names. Only regular files and folders.
 */
final class Tar {
    static final int BLOCK = 512;

    private Tar() {}

    /** Writes entries to a stream (not closed). */
    static final class Writer {
        private final OutputStream out;

        Writer(OutputStream out) {
            this.out = out;
        }

        /** One regular file's header; the caller then writes exactly {@code size} bytes and calls {@link #pad}. */
        void fileHeader(String name, long size, boolean executable) throws IOException {
            if (size > 077777777777L) {
                throw new IOException("'" + name + "' is " + size + " bytes, over the 8 GiB a tar entry holds");
            }
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            boolean ascii = nameBytes.length == name.length();
            String headerName = name;
            if (nameBytes.length > 100 || !ascii) {
                byte[] pax = paxRecord("path", name);
                writeHeader("././@PaxHeader", pax.length, 0644, (byte) 'x');
                out.write(pax);
                pad(pax.length);
                headerName = "pax-long-name"; // readers use the PAX path
            }
            writeHeader(headerName, size, executable ? 0755 : 0644, (byte) '0');
        }

        /** Pads the entry just written to a whole block. */
        void pad(long size) throws IOException {
            int rest = (int) (size % BLOCK);
            if (rest != 0) {
                out.write(new byte[BLOCK - rest]);
            }
        }

        /** The two zero blocks that end an archive. */
        void finish() throws IOException {
            out.write(new byte[BLOCK * 2]);
        }

        private void writeHeader(String name, long size, int mode, byte type) throws IOException {
            byte[] h = new byte[BLOCK];
            put(h, 0, 100, name.getBytes(StandardCharsets.US_ASCII));
            octal(h, 100, 8, mode);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, size);
            octal(h, 136, 12, 0);
            Arrays.fill(h, 148, 156, (byte) ' ');
            h[156] = type;
            put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            octal(h, 148, 7, sum);
            h[155] = ' ';
            out.write(h);
        }
    }

    /** One entry read back. */
    record Entry(String name, char type, long size, int mode) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isDirectory() {
            return type == '5';
        }
    }

    /** Reads entries one by one; after {@link #next()} the entry's content is read with {@link #content()}. */
    static final class Reader {
        private final InputStream in;
        private long remaining;
        private long padding;

        Reader(InputStream in) {
            this.in = in;
        }

        /** The next file or folder entry, or null at the end. */
        Entry next() throws IOException {
            skip(remaining + padding);
            remaining = 0;
            padding = 0;
            String longName = null;
            while (true) {
                byte[] h = in.readNBytes(BLOCK);
                if (h.length == 0) {
                    return null;
                }
                if (h.length < BLOCK) {
                    throw new EOFException("the archive is truncated (a header is cut short)");
                }
                if (isZero(h)) {
                    return null;
                }
                checkSum(h);
                char type = (char) h[156];
                long size = parseOctal(h, 124, 12);
                int mode = (int) parseOctal(h, 100, 8);
                if (type == 'x' || type == 'L') {
                    byte[] data = readData(size);
                    if (type == 'L') {
                        longName = cString(data, 0, data.length);
                    } else {
                        String path = paxPath(data);
                        if (path != null) {
                            longName = path;
                        }
                    }
                    continue;
                }
                if (type == 'g') {
                    readData(size);
                    continue;
                }
                String name = longName != null ? longName : headerName(h);
                remaining = (type == '0' || type == '\0' || type == '7') ? size : 0;
                padding = (BLOCK - (remaining % BLOCK)) % BLOCK;
                if (type != '0' && type != '\0' && type != '7' && size > 0 && type != '5') {
                    // other entry types carry no data we keep; skip what they have
                    remaining = size;
                    padding = (BLOCK - (size % BLOCK)) % BLOCK;
                }
                return new Entry(name, type, size, mode);
            }
        }

        /** The current entry's content (do not close). */
        InputStream content() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    if (remaining <= 0) {
                        return -1;
                    }
                    int b = in.read();
                    if (b < 0) {
                        throw new EOFException("the archive is truncated");
                    }
                    remaining--;
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (remaining <= 0) {
                        return -1;
                    }
                    int n = in.read(buf, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw new EOFException("the archive is truncated");
                    }
                    remaining -= n;
                    return n;
                }
            };
        }

        private byte[] readData(long size) throws IOException {
            if (size > 1 << 20) {
                throw new IOException("the archive has an extended header of " + size + " bytes, over 1 MiB");
            }
            byte[] data = in.readNBytes((int) size);
            if (data.length < size) {
                throw new EOFException("the archive is truncated");
            }
            skip((BLOCK - (size % BLOCK)) % BLOCK);
            return data;
        }

        private void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("the archive is truncated");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }
    }

    static byte[] paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
        int len = bodyLen + 1;
        while (len != bodyLen + Integer.toString(len).length()) {
            len = bodyLen + Integer.toString(len).length();
        }
        return (len + body).getBytes(StandardCharsets.UTF_8);
    }

    private static String paxPath(byte[] data) throws IOException {
        int i = 0;
        String path = null;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("the archive has a malformed PAX header");
            }
            if (len <= 0 || i + len > data.length) {
                throw new IOException("the archive has a malformed PAX header");
            }
            String record = new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring(5);
            }
            i += len;
        }
        return path;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        String magic = cString(h, 257, 6);
        if (magic.startsWith("ustar")) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static void checkSum(byte[] h) throws IOException {
        long expected = parseOctal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != expected) {
            throw new IOException("the archive is not a valid tar file (a header checksum does not match)");
        }
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] b, int off, int len) throws IOException {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        for (; i < end && b[i] >= '0' && b[i] <= '7'; i++) {
            v = v * 8 + (b[i] - '0');
        }
        return v;
    }

    private static void put(byte[] h, int off, int len, byte[] value) {
        System.arraycopy(value, 0, h, off, Math.min(len, value.length));
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, off, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
        h[off + len - 1] = 0;
    }

    /** Helper for tests: a tar entry header with an arbitrary name and type (crafted archives). */
    static byte[] rawEntry(String name, char type, byte[] content) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Writer w = new Writer(bos);
        w.writeHeader(name, content.length, 0644, (byte) type);
        bos.write(content);
        w.pad(content.length);
        return bos.toByteArray();
    }
}
