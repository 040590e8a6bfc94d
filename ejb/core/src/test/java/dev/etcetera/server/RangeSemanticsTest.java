package dev.etcetera.server;

import static dev.etcetera.server.KvFixture.b;
import static dev.etcetera.server.KvFixture.error;
import static dev.etcetera.server.KvFixture.keys;
import static dev.etcetera.server.KvFixture.pairs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest.SortOrder;
import dev.etcetera.api.etcdserverpb.RangeRequest.SortTarget;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every RangeRequest option against a fixed history:
 * a{value t, create 2, mod 8, version 3}, b{w, 3, 5, 2}, c{x, 4, 4, 1}, d{v, 6, 6, 1}; revision 8.
 */
class RangeSemanticsTest {
    private KvFixture kv;

    @BeforeEach
    void history() {
        kv = new KvFixture();
        kv.put("a", "z"); // 2
        kv.put("b", "y"); // 3
        kv.put("c", "x"); // 4
        kv.put("b", "w"); // 5
        kv.put("d", "v"); // 6
        kv.put("a", "u"); // 7
        kv.put("a", "t"); // 8
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private static RangeRequest.Builder all() {
        return RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("\0"));
    }

    private RangeResponse range(RangeRequest.Builder r) {
        return kv.range(r.build());
    }

    @Test
    void singleKeyAndHeader() {
        RangeResponse r = kv.get("a");
        assertEquals(List.of("a=t"), pairs(r.getKvsList()));
        assertEquals(1, r.getCount());
        assertFalse(r.getMore());
        assertEquals(8, r.getHeader().getRevision());
        assertEquals(KvFixture.INFO.clusterId(), r.getHeader().getClusterId());
        assertEquals(KvFixture.INFO.memberId(), r.getHeader().getMemberId());
        assertEquals(2, r.getHeader().getRaftTerm(), "a fresh member is at term 2, as etcd");
        var a = r.getKvs(0);
        assertEquals(2, a.getCreateRevision());
        assertEquals(8, a.getModRevision());
        assertEquals(3, a.getVersion());
        assertEquals(0, kv.get("zz").getCount());
    }

    @Test
    void rangeEndForms() {
        kv.put("ab", "1");
        kv.put("a\u00ff", "2");
        assertEquals(List.of("a", "ab", "a\u00ff"), keys(range(RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("b"))).getKvsList()), "prefix");
        assertEquals(List.of("b", "c", "d"), keys(range(RangeRequest.newBuilder().setKey(b("b")).setRangeEnd(b("\0"))).getKvsList()), "from key");
        assertEquals(6, range(RangeRequest.newBuilder().setKey(b("\0")).setRangeEnd(b("\0"))).getCount(), "all keys");
        assertEquals(0, range(RangeRequest.newBuilder().setKey(b("c")).setRangeEnd(b("b"))).getCount(), "end before key");
    }

    @Test
    void limitMoreAndCount() {
        RangeResponse r = range(all().setLimit(2));
        assertEquals(List.of("a", "b"), keys(r.getKvsList()));
        assertTrue(r.getMore());
        assertEquals(4, r.getCount());
        RangeResponse exact = range(all().setLimit(4));
        assertFalse(exact.getMore());
        assertEquals(4, exact.getKvsCount());
        RangeResponse negative = range(all().setLimit(-1));
        assertEquals(4, negative.getKvsCount());
        assertFalse(negative.getMore());
    }

    @Test
    void historicalRevisions() {
        RangeResponse at4 = range(all().setRevision(4));
        assertEquals(List.of("a=z", "b=y", "c=x"), pairs(at4.getKvsList()));
        assertEquals(3, at4.getCount());
        assertEquals(8, at4.getHeader().getRevision(), "header carries the current revision");
        assertEquals(4, range(all().setRevision(-3)).getCount(), "negative = latest");
        assertEquals(0, range(all().setRevision(1)).getCount());
        assertEquals(EtcdError.FUTURE_REV, error(kv.server.range(all().setRevision(9).build())));
        KvFixture.await(kv.server.compact(CompactionRequest.newBuilder().setRevision(5).build()), "compact");
        assertEquals(EtcdError.COMPACTED, error(kv.server.range(all().setRevision(4).build())));
        assertEquals(List.of("a=z", "b=w", "c=x"), pairs(range(all().setRevision(5)).getKvsList()), "compact revision itself is readable");
    }

    private List<String> sorted(SortTarget target, SortOrder order) {
        return keys(range(all().setSortTarget(target).setSortOrder(order)).getKvsList());
    }

    @Test
    void everySortTargetAndOrder() {
        assertEquals(List.of("a", "b", "c", "d"), sorted(SortTarget.KEY, SortOrder.NONE));
        assertEquals(List.of("a", "b", "c", "d"), sorted(SortTarget.KEY, SortOrder.ASCEND));
        assertEquals(List.of("d", "c", "b", "a"), sorted(SortTarget.KEY, SortOrder.DESCEND));
        // a non-KEY target with order NONE sorts ascending
        assertEquals(List.of("c", "d", "b", "a"), sorted(SortTarget.VERSION, SortOrder.NONE));
        assertEquals(List.of("c", "d", "b", "a"), sorted(SortTarget.VERSION, SortOrder.ASCEND));
        assertEquals(List.of("a", "b", "c", "d"), sorted(SortTarget.VERSION, SortOrder.DESCEND));
        assertEquals(List.of("a", "b", "c", "d"), sorted(SortTarget.CREATE, SortOrder.NONE));
        assertEquals(List.of("a", "b", "c", "d"), sorted(SortTarget.CREATE, SortOrder.ASCEND));
        assertEquals(List.of("d", "c", "b", "a"), sorted(SortTarget.CREATE, SortOrder.DESCEND));
        assertEquals(List.of("c", "b", "d", "a"), sorted(SortTarget.MOD, SortOrder.NONE));
        assertEquals(List.of("c", "b", "d", "a"), sorted(SortTarget.MOD, SortOrder.ASCEND));
        assertEquals(List.of("a", "d", "b", "c"), sorted(SortTarget.MOD, SortOrder.DESCEND));
        assertEquals(List.of("a", "d", "b", "c"), sorted(SortTarget.VALUE, SortOrder.NONE));
        assertEquals(List.of("a", "d", "b", "c"), sorted(SortTarget.VALUE, SortOrder.ASCEND));
        assertEquals(List.of("c", "b", "d", "a"), sorted(SortTarget.VALUE, SortOrder.DESCEND));
    }

    @Test
    void sortWithLimitFollowsEtcdOrderOfSteps() {
        // order NONE keeps the limit push-down: the first 3 keys are fetched, then sorted by version
        RangeResponse none = range(all().setSortTarget(SortTarget.VERSION).setLimit(2));
        assertEquals(List.of("c", "b"), keys(none.getKvsList()));
        assertTrue(none.getMore());
        assertEquals(4, none.getCount());
        // an explicit order fetches everything before sorting and cutting
        RangeResponse asc = range(all().setSortTarget(SortTarget.VERSION).setSortOrder(SortOrder.ASCEND).setLimit(2));
        assertEquals(List.of("c", "d"), keys(asc.getKvsList()));
        assertTrue(asc.getMore());
        RangeResponse desc = range(all().setSortOrder(SortOrder.DESCEND).setLimit(2));
        assertEquals(List.of("d", "c"), keys(desc.getKvsList()));
        assertTrue(desc.getMore());
    }

    @Test
    void invalidSortOptions() {
        assertEquals(EtcdError.INVALID_SORT_OPTION, error(kv.server.range(all().setSortOrderValue(3).build())));
        assertEquals(EtcdError.INVALID_SORT_OPTION, error(kv.server.range(all().setSortTargetValue(5).build())));
        assertEquals(EtcdError.INVALID_SORT_OPTION, error(kv.server.range(all().setSortOrderValue(-1).build())));
    }

    @Test
    void modAndCreateRevisionFilters() {
        RangeResponse minMod = range(all().setMinModRevision(5));
        assertEquals(List.of("a", "b", "d"), keys(minMod.getKvsList()));
        assertEquals(4, minMod.getCount(), "count ignores filters");
        assertEquals(List.of("b", "c", "d"), keys(range(all().setMaxModRevision(6)).getKvsList()));
        assertEquals(List.of("b", "c", "d"), keys(range(all().setMinCreateRevision(3)).getKvsList()));
        assertEquals(List.of("a", "b"), keys(range(all().setMaxCreateRevision(3)).getKvsList()));
        assertEquals(List.of("b"), keys(range(all().setMinModRevision(5).setMaxModRevision(6).setMaxCreateRevision(3)).getKvsList()));
        RangeResponse limited = range(all().setMinModRevision(5).setLimit(1));
        assertEquals(List.of("a"), keys(limited.getKvsList()));
        assertTrue(limited.getMore(), "more counts the filtered result");
        RangeResponse fits = range(all().setMinModRevision(5).setLimit(3));
        assertFalse(fits.getMore());
    }

    @Test
    void keysOnlyCountOnlySerializable() {
        RangeResponse ko = range(all().setKeysOnly(true));
        assertEquals(List.of("a=", "b=", "c=", "d="), pairs(ko.getKvsList()));
        assertEquals(8, ko.getKvs(0).getModRevision());
        RangeResponse co = range(all().setCountOnly(true));
        assertEquals(0, co.getKvsCount());
        assertEquals(4, co.getCount());
        assertFalse(co.getMore());
        RangeResponse ser = range(all().setSerializable(true));
        assertEquals(4, ser.getKvsCount());
        assertEquals(8, ser.getHeader().getRevision());
    }

    @Test
    void emptyKeyIsRejected() {
        assertEquals(EtcdError.EMPTY_KEY, error(kv.server.range(RangeRequest.newBuilder().build())));
        assertEquals(EtcdError.EMPTY_KEY, error(kv.server.range(RangeRequest.newBuilder().setRangeEnd(b("\0")).build())));
    }
}
