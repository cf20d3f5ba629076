package dev.ebbtide.messaging;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Kafka headers ↔ bytes, to store a dead letter's original headers (e.g. in a {@code bytea} column) unchanged. */
public final class HeaderBytes {
    private HeaderBytes() {}

    public static byte[] write(Headers headers) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Header[] all = headers == null ? new Header[0] : headers.toArray();
            out.writeInt(all.length);
            for (Header h : all) {
                out.writeUTF(h.key());
                out.writeInt(h.value() == null ? -1 : h.value().length);
                if (h.value() != null) {
                    out.write(h.value());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static RecordHeaders read(byte[] stored) {
        RecordHeaders headers = new RecordHeaders();
        if (stored == null) {
            return headers;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                int length = in.readInt();
                byte[] value = length < 0 ? null : in.readNBytes(length);
                headers.add(key, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return headers;
    }
}
