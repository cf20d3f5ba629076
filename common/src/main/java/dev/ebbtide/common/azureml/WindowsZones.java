package dev.ebbtide.common.azureml;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Windows time zone names ({@code Pacific Standard Time}), which Azure ML writes in compute instance schedules, mapped
 * to IANA zones with Unicode CLDR's Windows zone table (its territory "001" rows; the resource {@code
 * windows-zones.txt} names the CLDR commit it was taken from). Names match ignoring case, as Windows does.
 */
public final class WindowsZones {
    private static final Map<String, String> BY_NAME = load();

    private WindowsZones() {}

    /** The IANA zone for a Windows zone name, or empty when the name is not a Windows zone. */
    public static Optional<ZoneId> toIana(String windowsName) {
        if (windowsName == null) {
            return Optional.empty();
        }
        String iana = BY_NAME.get(windowsName.strip().toLowerCase(Locale.ROOT));
        return Optional.ofNullable(iana).map(ZoneId::of);
    }

    /** Every Windows name in the table, lower-cased, to its IANA zone id. */
    static Map<String, String> table() {
        return BY_NAME;
    }

    private static Map<String, String> load() {
        Map<String, String> map = new TreeMap<>();
        try (InputStream in = WindowsZones.class.getResourceAsStream("windows-zones.txt")) {
            if (in == null) {
                throw new IllegalStateException("windows-zones.txt is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int bar = line.indexOf('|');
                map.put(
                        line.substring(0, bar).strip().toLowerCase(Locale.ROOT),
                        line.substring(bar + 1).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(map);
    }
}
