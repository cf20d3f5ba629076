package dev.ebbtide.devsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./ebbtide compute start|stop|restart|delete|show NAME}: a compute instance's lifecycle through the
 * provisioner's {@code /computes} API (as {@code az ml compute start|stop|restart|delete}); prints the instance's
 * state and why, or the sentence of a refusal.
 */
public final class ComputeCli {
    static final List<String> ACTIONS = List.of("start", "stop", "restart", "delete", "show");

    private ComputeCli() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !ACTIONS.contains(args[0])) {
            System.err.println("usage: ebbtide compute start|stop|restart|delete|show NAME");
            System.exit(2);
        }
        String base = EbbtideCli.env("EBBTIDE_PROVISIONER_URL", "http://127.0.0.1:8084");
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(base + "/computes/" + args[1] + (args[0].equals("show") ? "" : "/" + args[0])))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + EbbtideCli.token());
        request = args[0].equals("show") ? request.GET() : request.POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            System.err.println("no compute instance '" + args[1] + "'");
            System.exit(1);
        }
        System.out.println(r.body());
        System.exit(r.statusCode() == 200 ? 0 : 1);
    }
}
