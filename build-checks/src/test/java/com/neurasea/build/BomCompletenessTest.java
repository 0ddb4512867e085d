package com.neurasea.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Fails the build when a published module is missing from the BOM, or the BOM names an artifact
 * that no module publishes. A module opts out of publishing with
 * {@code <neurasea.published>false</neurasea.published>}.
 */
class BomCompletenessTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void bomListsExactlyThePublishedModules() throws Exception {
    Set<String> published = new TreeSet<>();
    collectPublished(ROOT, published);
    Set<String> inBom = new TreeSet<>();
    Document bom = parse(ROOT.resolve("bom/pom.xml"));
    NodeList deps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      inBom.add(child((Element) deps.item(i), "artifactId"));
    }
    assertThat(published).as("published modules").isNotEmpty().contains("neurasea-spi", "neurasea-core");
    assertThat(inBom).as("artifacts in bom/pom.xml").containsExactlyInAnyOrderElementsOf(published);
  }

  private static void collectPublished(Path moduleDir, Set<String> published) throws Exception {
    Document pom = parse(moduleDir.resolve("pom.xml"));
    Element project = pom.getDocumentElement();
    String artifactId = child(project, "artifactId");
    String packaging = child(project, "packaging");
    String flag = property(project, "neurasea.published");
    if (!"pom".equals(packaging) && !"false".equals(flag)) {
      published.add(artifactId);
    }
    for (String module : modules(project)) {
      Path dir = moduleDir.resolve(module).normalize();
      assertThat(Files.exists(dir.resolve("pom.xml"))).as("module " + dir).isTrue();
      collectPublished(dir, published);
    }
  }

  private static List<String> modules(Element project) {
    List<String> result = new ArrayList<>();
    for (Element modules : children(project, "modules")) {
      for (Element module : children(modules, "module")) {
        result.add(module.getTextContent().trim());
      }
    }
    return result;
  }

  private static String property(Element project, String name) {
    for (Element properties : children(project, "properties")) {
      for (Element property : children(properties, name)) {
        return property.getTextContent().trim();
      }
    }
    return null;
  }

  private static String child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0).getTextContent().trim();
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> result = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        result.add(e);
      }
    }
    return result;
  }

  private static Document parse(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(file.toFile());
  }
}
