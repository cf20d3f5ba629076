package dev.ebbtide.agent.env;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./ebbtide image import NAME FILE.tar} and {@code ./ebbtide image list}: the images local nodes can run jobs
 * in ({@code .ebbtide/images/}). Exit codes: 0 done, 1 failed, 2 usage.
 */
public final class ImageCli {
    private ImageCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code args[0]} is the images folder, then the subcommand and its arguments. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2) {
            err.println("usage: image import NAME FILE.tar | image list");
            return 2;
        }
        ImageStore store = new ImageStore(Path.of(args[0]));
        try {
            switch (args[1]) {
                case "import" -> {
                    if (args.length != 4) {
                        err.println("usage: image import NAME FILE.tar (NAME as jobs write it, e.g. my-tools:1)");
                        return 2;
                    }
                    if (!Files.isRegularFile(Path.of(args[3]))) {
                        err.println("no such file: " + args[3]);
                        return 1;
                    }
                    ImportedImage image = store.importTarball(Path.of(args[3]), args[2]);
                    out.println("imported " + image.name() + " (" + image.layers() + " layer(s)) into "
                            + image.rootfs().getParent());
                    return 0;
                }
                case "list" -> {
                    store.names().forEach(out::println);
                    return 0;
                }
                default -> {
                    err.println("unknown image subcommand '" + args[1] + "' (known: import, list)");
                    return 2;
                }
            }
        } catch (IOException e) {
            err.println("image " + args[1] + " failed: " + e.getMessage());
            return 1;
        }
    }
}
