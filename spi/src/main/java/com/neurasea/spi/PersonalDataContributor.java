package com.neurasea.spi;

import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.PersonalDataItem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A module's part in answering data-subject requests and in retention sweeps: every module that
 * holds personal information (the platform's own, and a host's own tables) implements it once, and
 * access, rectification, erasure and retention reach that information through it.
 *
 * <p>Methods are called outside any unit of work and do their own I/O. {@link #erase} and
 * {@link #sweep} must be idempotent: an interrupted erasure is resumed by calling them again.
 */
public interface PersonalDataContributor {
  /**
   * A stable name, used in exports and to remember which contributors an erasure has finished.
   *
   * @return lower-case letters, digits and {@code -}
   */
  String name();

  /**
   * Everything this module holds on the subject.
   *
   * @param subject the subject
   * @return the items, each under a taxonomy category
   */
  List<PersonalDataItem> export(DataSubject subject);

  /**
   * The fields this module can correct; a rectification request naming a field no contributor
   * lists is refused when it is submitted.
   *
   * @return the field names, as {@link PersonalDataItem#field()} names them
   */
  default Set<String> rectifiableFields() {
    return Set.of();
  }

  /**
   * Corrects information. Fields this module does not know are left for other contributors.
   *
   * @param subject the subject
   * @param corrections new values by field name (as {@link PersonalDataItem#field()} names them)
   * @return the fields this module changed
   * @throws com.neurasea.model.NeuraSeaException {@code INVALID_ARGUMENT} naming the field when a
   *     value this module owns is malformed
   */
  Set<String> rectify(DataSubject subject, Map<String, String> corrections);

  /**
   * Erases the subject's information, except categories that must be kept, which it restricts
   * instead. Idempotent.
   *
   * @param subject the subject
   * @param keep whether a category must be kept (a legal hold or retention duty covers it)
   * @return what was erased and what was restricted
   */
  ErasureResult erase(DataSubject subject, java.util.function.Predicate<String> keep);

  /**
   * Deletes or anonymizes information of one category collected before a time, whoever it is about:
   * a retention sweep. Idempotent; modules that hold nothing of the category return 0.
   *
   * @param category the category key
   * @param cutoff information collected before it goes
   * @return how many items were deleted or anonymized
   */
  default long sweep(String category, Instant cutoff) {
    return 0;
  }
}
