package dev.etcetera.watch;

import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a watch response too large for the client's request limit, as etcd's sendFragments does:
 * each part takes as many events as fit under the limit (at least one), every part but the last
 * has {@code fragment = true}, and the client reassembles them into one response.
 */
final class Fragments {
    private Fragments() {
    }

    static List<WatchResponse> split(WatchResponse r, int maxBytes) {
        if (r.getSerializedSize() < maxBytes || r.getEventsCount() < 2) {
            return List.of(r);
        }
        WatchResponse shell = r.toBuilder().clearEvents().setFragment(true).build();
        int shellSize = shell.getSerializedSize();
        List<WatchResponse> parts = new ArrayList<>();
        List<Event> events = r.getEventsList();
        int i = 0;
        while (i < events.size()) {
            WatchResponse.Builder part = shell.toBuilder();
            long size = shellSize;
            int taken = 0;
            while (i < events.size()) {
                Event e = events.get(i);
                int n = e.getSerializedSize();
                // field 11, length-delimited: tag byte + varint length + payload
                long add = 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(n) + n;
                if (taken > 0 && size + add >= maxBytes) {
                    break;
                }
                part.addEvents(e);
                size += add;
                taken++;
                i++;
            }
            if (i == events.size()) {
                part.setFragment(false);
            }
            parts.add(part.build());
        }
        return parts;
    }
}
