package dev.ebbtide.devsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One process of a service in the local stack: instance {@code k} (from 1) of {@code service}, named
 * {@code <service>-k} (its {@code EBBTIDE_INSTANCE}, which names its Kafka client ids, the sender of what it publishes
 * and its line in {@code ./ebbtide status}).
 * <p>
 * Ports on the fixed scheme ({@code ./ebbtide up}): instance 1 on the service's default port (8081–8084), instance
 * {@code k} on the default plus {@code 10·(k−1)} (scheduler-2 on 8092, scheduler-3 on 8102). Logs: instance 1 keeps
 * {@code logs/<service>.log} (as with one instance), instance {@code k > 1} writes {@code logs/<service>-k.log}.
 */
public record StackInstance(String service, int index) {
    /** Port distance between instance {@code k} and {@code k+1} of one service on the fixed scheme. */
    public static final int PORT_STEP = 10;

    public StackInstance {
        if (!LocalStack.SERVICES.containsKey(service)) {
            throw new IllegalArgumentException(
                    "unknown service '" + service + "' (known: " + LocalStack.SERVICES.keySet() + ")");
        }
        if (index < 1) {
            throw new IllegalArgumentException("instances are numbered from 1, got " + index);
        }
    }

    /** {@code scheduler-2}. */
    public String name() {
        return service + "-" + index;
    }

    /** The port on the fixed scheme. */
    public int defaultPort() {
        return LocalStack.SERVICES.get(service) + PORT_STEP * (index - 1);
    }

    /** The log file's name under {@code <state>/logs}. */
    public String logFileName() {
        return (index == 1 ? service : name()) + ".log";
    }

    /**
     * The instance a name means: {@code scheduler-2} is instance 2; a bare service name ({@code scheduler}) is
     * instance 1, as before there were several.
     */
    public static StackInstance parse(String name) {
        if (LocalStack.SERVICES.containsKey(name)) {
            return new StackInstance(name, 1);
        }
        int dash = name.lastIndexOf('-');
        if (dash > 0) {
            String service = name.substring(0, dash);
            String number = name.substring(dash + 1);
            if (LocalStack.SERVICES.containsKey(service) && number.matches("[1-9][0-9]{0,3}")) {
                return new StackInstance(service, Integer.parseInt(number));
            }
        }
        throw new IllegalArgumentException("unknown service instance '" + name + "' (a service such as scheduler, or "
                + "an instance such as scheduler-2)");
    }

    /** Instances 1..replicas of each of {@code services}, service by service. */
    public static List<StackInstance> of(Collection<String> services, int replicas) {
        List<StackInstance> all = new ArrayList<>();
        for (String service : services) {
            for (int k = 1; k <= replicas; k++) {
                all.add(new StackInstance(service, k));
            }
        }
        return all;
    }
}
