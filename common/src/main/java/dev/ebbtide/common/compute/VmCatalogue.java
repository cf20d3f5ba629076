package dev.ebbtide.common.compute;

import dev.ebbtide.common.azureml.InvalidSpecException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Azure VM sizes Ebbtide knows, read from {@code vm-sizes.csv} in this module (docs/compute.md). Names match
 * case-insensitively ({@code STANDARD_DS3_v2} is {@code Standard_DS3_v2}); an unknown name is an error that lists the
 * nearest known names by edit distance.
 */
public final class VmCatalogue {
    static final String RESOURCE = "/dev/ebbtide/common/vm-sizes.csv";
    private static final int NEAREST = 3;
    private static final VmCatalogue DEFAULT = load();

    private final Map<String, VmSize> byKey;

    VmCatalogue(List<VmSize> sizes) {
        Map<String, VmSize> map = new LinkedHashMap<>();
        for (VmSize s : sizes) {
            if (map.put(key(s.name()), s) != null) {
                throw new IllegalArgumentException("VM size " + s.name() + " is listed twice");
            }
        }
        this.byKey = Collections.unmodifiableMap(map);
    }

    /** The shipped catalogue. */
    public static VmCatalogue standard() {
        return DEFAULT;
    }

    public List<VmSize> all() {
        return List.copyOf(byKey.values());
    }

    public Optional<VmSize> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byKey.get(key(name)));
    }

    /**
     * @throws InvalidSpecException with one sentence naming the nearest known sizes when the name is unknown
     */
    public VmSize require(String name) {
        return find(name)
                .orElseThrow(() -> new InvalidSpecException("unknown VM size '" + name + "'; nearest: "
                        + String.join(", ", nearest(name == null ? "" : name, NEAREST))
                        + " (GET /vm-sizes lists them all)"));
    }

    /** The {@code count} known names closest to {@code name} (case-insensitive edit distance, then alphabetical). */
    public List<String> nearest(String name, int count) {
        String wanted = key(name);
        return byKey.values().stream()
                .sorted(Comparator.<VmSize>comparingInt(s -> distance(wanted, key(s.name())))
                        .thenComparing(VmSize::name))
                .limit(count)
                .map(VmSize::name)
                .toList();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    static VmCatalogue load() {
        try (InputStream in = VmCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return new VmCatalogue(parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** {@code name,series,family,vcpus,memory_gib,gpus,gpu_model,low_priority,approval_required}; '#' lines are comments. */
    static List<VmSize> parse(BufferedReader reader) throws IOException {
        List<VmSize> sizes = new ArrayList<>();
        boolean header = true;
        int line = 0;
        for (String text = reader.readLine(); text != null; text = reader.readLine()) {
            line++;
            if (text.isBlank() || text.startsWith("#")) {
                continue;
            }
            if (header) {
                header = false;
                continue;
            }
            String[] f = text.split(",", -1);
            if (f.length != 9) {
                throw new IllegalArgumentException(RESOURCE + " line " + line + " has " + f.length + " fields, not 9");
            }
            sizes.add(new VmSize(
                    f[0],
                    f[1],
                    f[2],
                    Integer.parseInt(f[3]),
                    Double.parseDouble(f[4]),
                    Integer.parseInt(f[5]),
                    f[6],
                    Boolean.parseBoolean(f[7]),
                    Boolean.parseBoolean(f[8])));
        }
        return sizes;
    }
}
