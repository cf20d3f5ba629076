package dev.ebbtide.devsupport;

import dev.ebbtide.datastore.Azurite;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.LocalDatastore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark harness (not a test): a code folder of {@code files} files totalling {@code megabytes} MB, snapshotted
 * and uploaded to a LocalDatastore (and to Azurite with {@code --azurite}), first submission and a repeated one (same
 * tree: digest only, nothing uploaded), then unpacked as the agent would. Prints one line per step.
 *
 * <pre>
 * ./mvnw -B -q -o -pl dev-support -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx512m -cp "dev-support/target/classes:$(cat /tmp/cp.txt)" dev.ebbtide.devsupport.SnapshotBench 10000 100 [--azurite]
 * </pre>
 */
public final class SnapshotBench {
    private SnapshotBench() {}

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        boolean azurite = List.of(args).contains("--azurite");
        Path work = Files.createTempDirectory("snapshot-bench-");
        Path code = work.resolve("code");
        long t0 = System.nanoTime();
        long bytes = makeTree(code, files, (long) megabytes * 1_000_000);
        System.out.printf(
                Locale.ROOT,
                "tree: %d files, %.1f MB in %d folders (made in %.1f s)%n",
                files,
                bytes / 1e6,
                Math.max(1, files / 100),
                seconds(t0));
        List<Datastore> stores = new ArrayList<>();
        stores.add(new LocalDatastore("workspaceblobstore", work.resolve("local-store")));
        Azurite emulator = azurite ? Azurite.start() : null;
        try {
            if (emulator != null) {
                stores.add(emulator.datastore("workspaceblobstore", "bench"));
            }
            for (Datastore store : stores) {
                String kind = store.getClass().getSimpleName();
                String blobPath = null;
                for (String round : List.of("first", "repeated")) {
                    long start = System.nanoTime();
                    CodeSnapshot snap = CodeSnapshot.of(code);
                    double digest = seconds(start);
                    CodeSnapshot.Upload up = snap.upload(store);
                    blobPath = snap.blobPath();
                    System.out.printf(
                            Locale.ROOT,
                            "%s %s submission: walk+digest %.2f s, total %.2f s, uploaded=%s, archive %.1f MB%n",
                            kind,
                            round,
                            digest,
                            seconds(start),
                            up.uploaded(),
                            up.archiveBytes() / 1e6);
                }
                long start = System.nanoTime();
                Path out = work.resolve("unpacked-" + kind);
                int n;
                try (var in = store.open(blobPath)) {
                    n = CodeSnapshot.unpack(in, out);
                }
                System.out.printf(Locale.ROOT, "%s agent download+unpack: %.2f s, %d files%n", kind, seconds(start), n);
            }
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            deleteTree(work);
        }
    }

    /**
     * Writes {@code files} files totalling about {@code totalBytes} into {@code dir} (100 per folder), each half
     * random bytes (like weights) and half text (like code); the same tree every time. Also used by
     * {@link StagingBench}.
     */
    static long makeTree(Path dir, int files, long totalBytes) throws IOException {
        Random random = new Random(17);
        long per = totalBytes / files;
        long written = 0;
        byte[] buf = new byte[(int) per];
        for (int i = 0; i < files; i++) {
            Path f = dir.resolve("pkg" + (i / 100)).resolve("module_" + i + ".py");
            Files.createDirectories(f.getParent());
            // half random (incompressible, like weights), half text (like code)
            random.nextBytes(buf);
            for (int j = buf.length / 2; j < buf.length; j++) {
                buf[j] = (byte) ('a' + (j % 26));
            }
            Files.write(f, buf);
            written += buf.length;
        }
        return written;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
