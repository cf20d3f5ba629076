package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.core.estimate.GrowthWait;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each cluster's current wait before it may get new nodes, from the provisioner's {@code ClusterBackoffChanged}, for
 * start estimates. In memory: after a restart it is empty until the next back-off event (estimates then assume none).
 */
@ApplicationScoped
public class GrowthWaits {
    private final Map<String, GrowthWait> waits = new ConcurrentHashMap<>();

    /** Records a back-off's start (or its end, {@code until} null). Quota and approval waits have no known end. */
    void changed(ClusterBackoffChanged e) {
        if (e.until() == null) {
            waits.remove(e.cluster());
            return;
        }
        boolean openEnded = e.errorClass() != null && e.errorClass().endsWith("_WAIT"); // QUOTA_WAIT, APPROVAL_WAIT
        String what = openEnded ? (e.errorClass().startsWith("APPROVAL") ? "waiting for approval" : "waiting for quota")
                : "cloud back-off (" + e.errorClass() + ")";
        waits.put(e.cluster(), new GrowthWait(what, openEnded ? null : e.until()));
    }

    /** The cluster's wait, or null if none is known. */
    GrowthWait of(String cluster) {
        return waits.get(cluster);
    }
}
