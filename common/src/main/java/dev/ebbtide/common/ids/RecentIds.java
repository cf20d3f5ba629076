package dev.ebbtide.common.ids;

import java.util.LinkedHashSet;
import java.util.Set;

/** The last N ids seen (oldest forgotten first), so a redelivered message has no second effect. Not thread-safe. */
public final class RecentIds {
    private final int capacity;
    private final Set<String> ids = new LinkedHashSet<>();

    public RecentIds(int capacity) {
        this.capacity = capacity;
    }

    /** Returns true if the id is new (and remembers it), false if it was seen before. */
    public boolean add(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > capacity) {
            ids.remove(ids.iterator().next());
        }
        return true;
    }

    /** Whether the id was seen (and not yet forgotten). */
    public boolean contains(String id) {
        return ids.contains(id);
    }
}
