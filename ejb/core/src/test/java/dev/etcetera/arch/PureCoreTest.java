package dev.etcetera.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core is container-free: raft, mvcc, watch, lease, auth, apply and the server facade import
 * no container, transport or storage-engine types. (Maven's enforcer guards the dependencies; this
 * guards the code, including anything that arrives transitively.)
 */
class PureCoreTest {
    private static final String[] FORBIDDEN = {
        "jakarta..", "javax.ejb..", "javax.inject..", "javax.ws..", "javax.enterprise..",
        "org.eclipse.microprofile..", "fish.payara..", "io.helidon..", "io.grpc..", "com.sleepycat..",
    };

    @Test
    void coreImportsNoContainerTransportOrStorageEngine() {
        JavaClasses core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.etcetera");
        noClasses().should().dependOnClassesThat().resideInAnyPackage(FORBIDDEN)
                .because("the core must run and be tested without the container (ARCHITECTURE.md)")
                .check(core);
    }
}
