package com.neurasea.build;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of DESIGN.md, checked on the compiled classes of every published module:
 * backend adapters never see core, host bindings see only core's public API, the SPI sees nothing
 * of ours, and domains do not form cycles.
 */
class ArchitectureTest {
  /** Packages of neurasea-core. */
  private static final String[] CORE = {
    "com.neurasea", "com.neurasea.tenancy..", "com.neurasea.permissions..", "com.neurasea.identity..",
    "com.neurasea.secrets..", "com.neurasea.internal..", "com.neurasea.quota..", "com.neurasea.training..",
    "com.neurasea.routing..", "com.neurasea.geo..", "com.neurasea.privacy.."
  };
  /** Packages of backend adapters (storage, identity, transports, GPU backends, TCK). */
  private static final String[] BACKEND_ADAPTERS = {
    "com.neurasea.store..", "com.neurasea.tck..", "com.neurasea.identity.ldap..", "com.neurasea.identity.oidc..",
    "com.neurasea.transport..", "com.neurasea.upstream..", "com.neurasea.gpu.."
  };
  /** Packages of host bindings. */
  private static final String[] HOST_BINDINGS = {"com.neurasea.http..", "com.neurasea.spring..", "com.neurasea.gateway.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("com.neurasea");
  }

  @Test
  void theClassesOfEveryModuleAreImported() {
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.NeuraSea")).isTrue();
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.store.sqlite.SqliteStorage")).isTrue();
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.tck.TenancyStoreContract")).isTrue();
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.upstream.jdk.JdkUpstreamTransport"))
        .isTrue();
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.upstream.netty.NettyUpstreamTransport"))
        .isTrue();
    org.assertj.core.api.Assertions.assertThat(classes.contain("com.neurasea.gateway.netty.NettyGatewayServer"))
        .isTrue();
  }

  @Test
  void spiDependsOnNothingOfOurs() {
    noClasses().that().resideInAnyPackage("com.neurasea.model..", "com.neurasea.spi..")
        .should().dependOnClassesThat().resideInAnyPackage(concat(CORE, BACKEND_ADAPTERS, HOST_BINDINGS))
        .check(classes);
  }

  @Test
  void spiUsesNoEngineLibraries() {
    noClasses().that().resideInAnyPackage("com.neurasea.model..", "com.neurasea.spi..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "com.google.inject..", "org.jdbi..", "com.zaxxer..", "org.sqlite..", "org.flywaydb..",
            "com.github.benmanes..", "com.fasterxml..", "org.slf4j..")
        .check(classes);
  }

  @Test
  void backendAdaptersNeverDependOnCore() {
    noClasses().that().resideInAnyPackage(BACKEND_ADAPTERS)
        .should().dependOnClassesThat().resideInAnyPackage(CORE)
        .check(classes);
  }

  @Test
  void hostBindingsUseOnlyCorePublicApi() {
    noClasses().that().resideInAnyPackage(HOST_BINDINGS)
        .should().dependOnClassesThat().resideInAnyPackage("com.neurasea.internal..", "com.neurasea.store.jdbc.internal..")
        .check(classes);
  }

  @Test
  void nothingUsesAnotherModulesInternalPackage() {
    // core's own packages may use core's internal package; nothing else may.
    noClasses().that().resideOutsideOfPackages(CORE)
        .should().dependOnClassesThat().resideInAPackage("com.neurasea.internal..")
        .check(classes);
    noClasses().that().resideOutsideOfPackage("com.neurasea.store.jdbc..")
        .should().dependOnClassesThat().resideInAPackage("com.neurasea.store.jdbc.internal..")
        .check(classes);
  }

  @Test
  void domainsHaveNoCycles() {
    slices().matching("com.neurasea.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void domainsDoNotDependOnTheFacade() {
    noClasses().that().resideInAnyPackage("com.neurasea.tenancy..", "com.neurasea.permissions..",
            "com.neurasea.identity..", "com.neurasea.secrets..", "com.neurasea.internal..", "com.neurasea.privacy..",
            "com.neurasea.quota..", "com.neurasea.routing..")
        .should().dependOnClassesThat().resideInAPackage("com.neurasea")
        .check(classes);
  }

  private static String[] concat(String[]... groups) {
    return java.util.Arrays.stream(groups).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
