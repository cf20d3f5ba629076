package dev.ebbtide.common.compute;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Estimated prices of VM sizes per node-hour, by size, region and tier, read from {@code vm-prices.csv} in this module
 * (its header says where the figures come from and as of when). Estimates, never a bill (docs/usage.md).
 */
public final class VmPrices {
    static final String RESOURCE = "/dev/ebbtide/common/vm-prices.csv";
    /** The region of rows that stand for any region without its own row. */
    public static final String ANY_REGION = "*";

    private static final VmPrices DEFAULT = load();

    /** One price: per node-hour, in {@code currency}. */
    public record Price(String size, String region, String tier, double perHour, String currency) {}

    private final Map<String, Price> byKey;

    VmPrices(List<Price> prices) {
        Map<String, Price> map = new LinkedHashMap<>();
        for (Price p : prices) {
            if (map.put(key(p.size(), p.region(), p.tier()), p) != null) {
                throw new IllegalArgumentException(
                        "price of " + p.size() + " in " + p.region() + " (" + p.tier() + ") is listed twice");
            }
        }
        this.byKey = map;
    }

    /** The shipped table. */
    public static VmPrices standard() {
        return DEFAULT;
    }

    public List<Price> all() {
        return List.copyOf(byKey.values());
    }

    /**
     * The price of a node-hour of {@code size} in {@code region} and {@code tier} ({@code dedicated} or
     * {@code low_priority}); the {@code *} row when the region has none of its own; empty when the size is not priced.
     */
    public Optional<Price> find(String size, String region, String tier) {
        if (size == null || tier == null) {
            return Optional.empty();
        }
        Price p = region == null ? null : byKey.get(key(size, region, tier));
        return Optional.ofNullable(p != null ? p : byKey.get(key(size, ANY_REGION, tier)));
    }

    private static String key(String size, String region, String tier) {
        return (size + "|" + region + "|" + tier).toLowerCase(Locale.ROOT);
    }

    static VmPrices load() {
        try (InputStream in = VmPrices.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new VmPrices(parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code size,region,tier,price_per_hour,currency}; '#' lines are comments. */
    static List<Price> parse(BufferedReader reader) throws IOException {
        List<Price> prices = new java.util.ArrayList<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String text = line.strip();
            if (text.isBlank() || text.startsWith("#")) {
                continue;
            }
            String[] f = text.split(",", -1);
            if (f.length != 5) {
                throw new IllegalArgumentException(
                        "vm-prices.csv line " + number + ": expected 5 fields, got " + f.length);
            }
            if (!f[2].equals("dedicated") && !f[2].equals("low_priority")) {
                throw new IllegalArgumentException(
                        "vm-prices.csv line " + number + ": tier must be dedicated or low_priority, not " + f[2]);
            }
            double perHour = Double.parseDouble(f[3]);
            if (!(perHour >= 0)) {
                throw new IllegalArgumentException("vm-prices.csv line " + number + ": negative price " + f[3]);
            }
            prices.add(new Price(f[0], f[1], f[2], perHour, f[4]));
        }
        return prices;
    }
}
