package dev.ebbtide.devsupport;

import dev.ebbtide.devsupport.ClusterOwners.Owned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code ./ebbtide status}, after what {@code up} printed: one line per service instance with its URL, whether its
 * process runs, and the partitions and clusters it acts for (from {@link ClusterOwners}). The instances come from
 * {@code <state>/run/instances} (name, URL, pid per line), written by {@code up}.
 */
public final class StackStatus {
    /** The file {@code up} writes: one {@code <instance> <url> <pid>} line per service instance. */
    public static final String INSTANCES_FILE = "instances";

    /** One service instance as {@code up} started it. */
    record Instance(String name, String url, long pid) {}

    private StackStatus() {}

    /** {@code args[0]}: the state directory ({@code .ebbtide}). */
    public static void main(String[] args) throws IOException {
        java.util.logging.Logger.getLogger("org.apache.kafka")
                .setLevel(java.util.logging.Level.WARNING); // no client chatter
        try {
            report(Path.of(args.length > 0 ? args[0] : ".ebbtide")).forEach(System.out::println);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }

    /**
     * The instance lines for the stack whose state directory is {@code state} (a secured stack: it reads the admin's
     * Kafka settings from {@code secrets/kafka-admin.properties}).
     *
     * @throws IllegalStateException with a sentence when the stack is not up or Kafka does not answer
     */
    public static List<String> report(Path state) throws IOException {
        Path file = state.resolve("run").resolve(INSTANCES_FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no " + file + ": start the stack with ./ebbtide up");
        }
        List<Instance> instances = read(file);
        Map<String, Object> admin =
                StackSecrets.readClientConfig(state.resolve("secrets").resolve("kafka-admin.properties"));
        Map<String, Boolean> alive = new LinkedHashMap<>();
        instances.forEach(i -> alive.put(
                i.name(), ProcessHandle.of(i.pid()).map(ProcessHandle::isAlive).orElse(false)));
        try {
            return lines(
                    instances,
                    alive,
                    owners(admin, instances.stream().map(Instance::name).toList()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read who owns which clusters: " + e.getMessage(), e);
        }
    }

    /** For each owning service: its instances (and any other group members) and what each holds now. */
    public static Map<String, SortedMap<String, Owned>> owners(
            Map<String, Object> adminConfig, Collection<String> instances) {
        SortedSet<String> clusters = ClusterOwners.clusters(adminConfig);
        Map<String, SortedMap<String, Owned>> owners = new LinkedHashMap<>();
        try (Admin admin = Admin.create(adminConfig)) {
            for (String service : ClusterOwners.OWNING_SERVICES) {
                owners.put(service, ClusterOwners.of(admin, service, instances, clusters));
            }
        }
        return owners;
    }

    /** The lines to print: instances in the file's order, then group members that are none of them. */
    static List<String> lines(
            List<Instance> instances, Map<String, Boolean> alive, Map<String, SortedMap<String, Owned>> owners) {
        List<String> lines = new ArrayList<>();
        lines.add("instances (a cluster is acted for by the instance whose consumer group holds its partition):");
        int width = instances.stream().mapToInt(i -> i.name().length()).max().orElse(10);
        for (Instance i : instances) {
            String service = StackInstance.parse(i.name()).service();
            String what;
            if (!ClusterOwners.OWNING_SERVICES.contains(service)) {
                what = "stateless: serves every cluster";
            } else {
                Owned owned =
                        owners.getOrDefault(service, new java.util.TreeMap<>()).get(i.name());
                what = owned == null ? "not in group " + ClusterOwners.group(service) : describe(owned);
            }
            lines.add(String.format(
                    "  %-" + width + "s  %-22s %-5s %s",
                    i.name(),
                    i.url(),
                    alive.getOrDefault(i.name(), false) ? "up" : "down",
                    what));
        }
        List<String> known = instances.stream().map(Instance::name).toList();
        owners.forEach((service, members) -> members.forEach((member, owned) -> {
            if (!known.contains(member)) {
                lines.add(String.format("  %s member %s: %s", ClusterOwners.group(service), member, describe(owned)));
            }
        }));
        return lines;
    }

    static String describe(Owned owned) {
        if (owned.partitions().isEmpty()) {
            return "no partitions";
        }
        return "partitions " + owned.partitions().stream().map(String::valueOf).collect(Collectors.joining(",")) + ": "
                + (owned.clusters().isEmpty() ? "no clusters" : String.join(", ", owned.clusters()));
    }

    static List<Instance> read(Path file) throws IOException {
        List<Instance> instances = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) {
                instances.add(new Instance(f[0], f[1], Long.parseLong(f[2])));
            }
        }
        return instances;
    }

    /** The {@link #INSTANCES_FILE} text for a running stack. */
    static String instancesFile(LocalStack stack) {
        StringBuilder s = new StringBuilder();
        Map<String, Long> pids = stack.instancePids();
        stack.instanceUrls()
                .forEach((name, url) -> s.append(name)
                        .append(' ')
                        .append(url)
                        .append(' ')
                        .append(pids.get(name))
                        .append('\n'));
        return s.toString();
    }
}
