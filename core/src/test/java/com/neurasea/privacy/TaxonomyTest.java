package com.neurasea.privacy;

import static com.neurasea.Errors.assertCode;
import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.time.Period;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaxonomyTest {
  private final Taxonomy defaults = Taxonomy.defaults();

  @Test
  void theDefaultsHoldThePolicysCategoriesPurposesBasesRecipientsGroundsAndMeasures() {
    assertThat(defaults.find(TermKind.CATEGORY, "user.contact.email")).isPresent();
    assertThat(defaults.find(TermKind.CATEGORY, "user.device.ip_address")).isPresent();
    assertThat(defaults.find(TermKind.CATEGORY, "user.device.user_agent")).isPresent();
    // Section 1 lists six groups of information; each is a category group.
    assertThat(defaults.terms(TermKind.CATEGORY)).extracting(Term::key)
        .contains("user.account", "user.org", "user.service", "user.usage", "user.business", "user.voluntary");
    // Section 2 lists six purposes.
    assertThat(defaults.terms(TermKind.PURPOSE)).hasSize(6);
    // GDPR Art. 6(1)(a)-(f) and PIPL Art. 13(1)-(7).
    assertThat(defaults.terms(TermKind.BASIS)).extracting(Term::key).filteredOn(k -> k.startsWith("gdpr.")).hasSize(6);
    assertThat(defaults.terms(TermKind.BASIS)).extracting(Term::key).filteredOn(k -> k.startsWith("pipl.")).hasSize(7);
    // Section 3's third parties and section 5's five grounds.
    assertThat(defaults.terms(TermKind.RECIPIENT)).extracting(Term::key).contains("model_provider", "cloud_vendor",
        "object_storage", "oauth_provider", "email_provider", "sms_provider", "payment_provider", "cdn");
    assertThat(defaults.terms(TermKind.GROUND)).hasSize(5);
    assertThat(defaults.terms(TermKind.MEASURE)).isNotEmpty();
    assertThat(defaults.controller().attribute("contact")).contains("contact@neurasea.com");
  }

  @Test
  void retentionIsAPeriodOrWhileTheAccountExists() {
    assertThat(defaults.retention("user.device.ip_address")).contains(Period.ofDays(180));
    assertThat(defaults.retention("user.contact.email")).isEmpty();
    assertThat(defaults.retention("no.such.category")).isEmpty();
  }

  @Test
  void unknownKeysAreRejectedNamingTheField() {
    NeuraSeaException e = thrown(() -> defaults.require(TermKind.CATEGORY, "user.contact.fax", "categories[0]"));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("categories[0]");
      assertThat(f.message()).contains("user.contact.fax").contains("category");
    });
    // A key of another kind is not a key of this kind.
    assertCode(() -> defaults.require(TermKind.PURPOSE, "user.contact.email", "purpose"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> defaults.require(TermKind.PURPOSE, null, "purpose"), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void hostsExtendTheDefaultsInCodeOrText() {
    Taxonomy extended = Taxonomy.builder()
        .add(TermKind.CATEGORY, "user.hr.employee_number", "Employee number", Map.of("retention", "P2Y"))
        .load("recipient hr_system | The enterprise's HR system | transfers=none\n"
            + "# a comment\n\n"
            + "purpose payroll | Paying salaries\n")
        .controller("Acme GmbH", "dpo@acme.example")
        .build();

    assertThat(extended.find(TermKind.CATEGORY, "user.hr.employee_number")).isPresent();
    assertThat(extended.retention("user.hr.employee_number")).contains(Period.ofYears(2));
    assertThat(extended.find(TermKind.RECIPIENT, "hr_system")).isPresent();
    assertThat(extended.find(TermKind.PURPOSE, "payroll")).isPresent();
    assertThat(extended.find(TermKind.CATEGORY, "user.contact.email")).isPresent();
    assertThat(extended.controller().label()).isEqualTo("Acme GmbH");
    assertThat(defaults.find(TermKind.PURPOSE, "payroll")).isEmpty();
    assertThat(Taxonomy.empty().build().terms(TermKind.CATEGORY)).isEmpty();
  }

  @Test
  void badTermsAreRejectedWithTheLine() {
    assertThatThrownBy(() -> Taxonomy.builder().load("purpose ok | Fine\nwidget x | What")).isInstanceOfSatisfying(
        NeuraSeaException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("line 2").contains("widget");
        });
    assertCode(() -> Taxonomy.builder().load("category Bad.Key | x"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> Taxonomy.builder().load("category user.contact.email | again"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> Taxonomy.builder().load("category user.x | x | retention=forever"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> Taxonomy.builder().load("category user.x | x | retention"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> Taxonomy.builder().load("category user.x"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> Taxonomy.builder().add(TermKind.PURPOSE, "p", " ", Map.of()), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void theTextFormatRoundTrips() {
    Taxonomy reloaded = Taxonomy.empty().load(defaults.format()).build();
    for (TermKind kind : TermKind.values()) {
      assertThat(reloaded.terms(kind)).isEqualTo(defaults.terms(kind));
    }
  }
}
