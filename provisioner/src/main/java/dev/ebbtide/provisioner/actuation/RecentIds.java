package dev.ebbtide.provisioner.actuation;

import java.util.LinkedHashSet;
import java.util.Set;

/** The last N ids seen, so a redelivered message has no second effect. Not thread-safe. */
final class RecentIds {
    private final int capacity;
    private final Set<String> ids = new LinkedHashSet<>();

    RecentIds(int capacity) {
        this.capacity = capacity;
    }

    /** Returns true if the id is new (and remembers it), false if it was seen before. */
    boolean add(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > capacity) {
            ids.remove(ids.iterator().next());
        }
        return true;
    }
}
