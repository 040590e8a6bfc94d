package dev.etcetera.it;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The shared servers of one test run: a reference etcd and the subject (a member, or a second etcd while no
 * member can be launched). Started once, closed when the JUnit run ends (root store), so every test class that
 * can tolerate shared state pays the member's start-up once.
 */
final class ServerPair implements ExtensionContext.Store.CloseableResource {
    final Side reference;
    final Side subject;
    final boolean subjectIsMember;

    private ServerPair(Side reference, Side subject, boolean subjectIsMember) {
        this.reference = reference;
        this.subject = subject;
        this.subjectIsMember = subjectIsMember;
    }

    /** {@code -Detcetera.it.subject=member|etcd}; default: member if {@code bin/etcetera} exists. */
    static boolean memberWanted() {
        String wanted = System.getProperty("etcetera.it.subject", "auto");
        return switch (wanted) {
            case "member" -> true;
            case "etcd" -> false;
            default -> MemberProcess.available();
        };
    }

    /** A fresh subject server (not shared): a member if wanted, else an etcd. Caller closes it. */
    static ServerProcess newSubject(String name) {
        return memberWanted() ? new MemberProcess(name) : new EtcdProcess(name);
    }

    static ServerPair start() {
        boolean member = memberWanted();
        EtcdProcess etcd = new EtcdProcess("ref-etcd");
        ServerProcess subject = member ? new MemberProcess("subject-member") : new EtcdProcess("subject-etcd");
        try {
            etcd.start();
            subject.start();
        } catch (RuntimeException e) {
            subject.close();
            etcd.close();
            throw e;
        }
        System.out.printf("[it] reference %s; subject %s (started in %d ms)%n", etcd, subject,
                subject.startToReady().toMillis());
        return new ServerPair(new Side("etcd", etcd), new Side(member ? "member" : "etcd#2", subject), member);
    }

    @Override
    public void close() {
        subject.server.close();
        reference.server.close();
    }
}
