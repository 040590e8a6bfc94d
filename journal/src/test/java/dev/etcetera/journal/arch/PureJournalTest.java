package dev.etcetera.journal.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The journal imports no container, transport or storage-engine types. */
class PureJournalTest {
    @Test
    void journalImportsNoContainerTransportOrStorageEngine() {
        JavaClasses journal = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.etcetera.journal");
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta..", "javax.ejb..", "javax.inject..", "javax.ws..", "javax.enterprise..",
                        "org.eclipse.microprofile..", "fish.payara..", "io.helidon..", "io.grpc..", "com.sleepycat..")
                .because("the journal is a plain JDK library (ARCHITECTURE.md)")
                .check(journal);
    }
}
