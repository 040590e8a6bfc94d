package dev.etcetera.journal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The journal stays free of container, transport and storage-engine types (ARCHITECTURE.md). */
class JournalArchitectureTest {

    @Test
    void journalImportsOnlyTheJdkAndConfig() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.etcetera.journal");
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta..", "javax.annotation..", "org.eclipse.microprofile..", "fish.payara..",
                        "io.helidon..", "io.grpc..", "com.sleepycat..", "com.google.protobuf..")
                .because("the journal is JDK-only so the core and tests can use it without a container")
                .check(classes);
    }
}
