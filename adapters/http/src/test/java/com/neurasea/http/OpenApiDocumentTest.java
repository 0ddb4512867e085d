package com.neurasea.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.NeuraSea;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The shipped OpenAPI document and the servlet's routing table describe the same API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  Storage storage;
  NeuraSea platform;
  List<Route> routes;
  JsonNode document;

  @BeforeAll
  void load(@TempDir Path dir) throws Exception {
    storage = SqliteStorage.builder().path(dir.resolve("t.db")).build();
    platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k")).passwordPolicy(PasswordPolicy.forTests()).build();
    routes = new AdminApiServlet(platform).routes();
    document = ApiServer.JSON.readTree(AdminRoutes.openApiDocument());
  }

  @AfterAll
  void close() {
    platform.close();
    storage.close();
  }

  private Set<String> documentedOperations() {
    Set<String> operations = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
      path.getValue().fieldNames().forEachRemaining(method -> {
        if (METHODS.contains(method)) {
          operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      });
    }
    return operations;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() {
    Set<String> routed = new TreeSet<>();
    routes.forEach(route -> routed.add(route.method() + " " + route.path()));
    assertThat(routed).hasSize(routes.size());
    assertThat(documentedOperations()).isEqualTo(routed);
  }

  @Test
  void eachOperationDocumentsItsStatusBodyParametersAndSecurity() {
    for (Route route : routes) {
      JsonNode operation = document.path("paths").path(route.path()).path(route.method().toLowerCase(Locale.ROOT));
      assertThat(operation.path("responses").has(String.valueOf(route.status())))
          .as("%s documents %d", route, route.status()).isTrue();
      assertThat(operation.path("responses").has("default")).as("%s documents errors", route).isTrue();
      assertThat(operation.has("requestBody")).as("%s request body", route).isEqualTo(route.requestBody() != null);
      if (route.requestBody() != null) {
        String schema = operation.path("requestBody").path("content").path("application/json").path("schema")
            .path("$ref").asText();
        assertThat(schema).as("%s body schema", route).startsWith("#/components/schemas/");
      }
      Set<String> pathParameters = new HashSet<>();
      for (JsonNode parameter : operation.path("parameters")) {
        JsonNode resolved = resolve(parameter.path("$ref").asText());
        if (resolved.path("in").asText().equals("path")) {
          pathParameters.add(resolved.path("name").asText());
        }
      }
      assertThat(pathParameters).as("%s path parameters", route).containsExactlyInAnyOrderElementsOf(route.parameterNames());
      boolean open = operation.has("security") && operation.path("security").isEmpty();
      assertThat(open).as("%s needs no credentials", route).isEqualTo(!route.authenticated());
    }
  }

  @Test
  void securitySchemesAndTheErrorSchemaAreDefined() {
    JsonNode schemes = document.path("components").path("securitySchemes");
    assertThat(schemes.path("bearerAuth").path("scheme").asText()).isEqualTo("bearer");
    assertThat(schemes.path("basicAuth").path("scheme").asText()).isEqualTo("basic");
    JsonNode error = document.path("components").path("schemas").path("ErrorDetail").path("properties");
    assertThat(error.has("message") && error.has("type") && error.has("code") && error.has("param") && error.has("fields"))
        .isTrue();
    List<String> codes = new ArrayList<>();
    resolve("#/components/schemas/ErrorCode").path("enum").forEach(code -> codes.add(code.asText()));
    assertThat(codes).containsExactlyInAnyOrder(
        java.util.Arrays.stream(com.neurasea.model.ErrorCode.values()).map(Enum::name).toArray(String[]::new));
  }

  @Test
  void everyReferenceResolves() {
    List<String> references = new ArrayList<>();
    collectReferences(document, references);
    assertThat(references).isNotEmpty();
    for (String reference : references) {
      assertThat(resolve(reference).isMissingNode()).as("%s resolves", reference).isFalse();
    }
  }

  @Test
  void requestSchemasListTheRecordsComponents() {
    Pattern ref = Pattern.compile("#/components/schemas/(\\w+)");
    for (Route route : routes) {
      if (route.requestBody() == null || !route.requestBody().isRecord()) {
        continue;
      }
      String schemaRef = document.path("paths").path(route.path()).path(route.method().toLowerCase(Locale.ROOT))
          .path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText();
      Matcher matcher = ref.matcher(schemaRef);
      assertThat(matcher.matches()).isTrue();
      Set<String> documented = new TreeSet<>();
      resolve(schemaRef).path("properties").fieldNames().forEachRemaining(documented::add);
      Set<String> components = new TreeSet<>();
      for (var component : route.requestBody().getRecordComponents()) {
        components.add(component.getName());
      }
      assertThat(documented).as("%s schema %s", route, matcher.group(1)).isEqualTo(components);
    }
  }

  private void collectReferences(JsonNode node, List<String> references) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (field.getKey().equals("$ref")) {
          references.add(field.getValue().asText());
        } else {
          collectReferences(field.getValue(), references);
        }
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectReferences(child, references));
    }
  }

  private JsonNode resolve(String reference) {
    assertThat(reference).startsWith("#/");
    return document.at(reference.substring(1));
  }
}
