package dev.etcetera.raft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Raft core is a pure state machine: it imports only the JDK, its own generated messages and
 * protobuf's runtime; it opens no file or socket, reads no clock and starts no thread.
 */
class RaftPurityTest {
    private static final JavaClasses RAFT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.etcetera.raft");

    @Test
    void dependsOnlyOnJdkAndItsMessages() {
        noClasses().that().resideInAPackage("dev.etcetera.raft..")
                .should().dependOnClassesThat().resideOutsideOfPackages(
                        "java..", "dev.etcetera.raft..", "com.google.protobuf..")
                .check(RAFT);
    }

    @Test
    void noIoClockOrThreads() {
        noClasses().that().resideInAPackage("dev.etcetera.raft")
                .or().resideInAPackage("dev.etcetera.raft.tracker")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.util.concurrent..")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .check(RAFT);
    }
}
