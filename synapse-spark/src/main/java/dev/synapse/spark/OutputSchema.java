package dev.synapse.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The output schema declared for a Python function, and the checks of what the function returned
 * against it: the same column names in the same order, each of the declared Spark type once read
 * back from Arrow ({@link ArrowUtils#fromArrowField}), and no null in a column declared not
 * nullable. Nullability of the Arrow field itself is not compared: pyarrow marks every field
 * nullable unless told otherwise.
 */
final class OutputSchema implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String function;
  private final StructType schema;

  OutputSchema(String function, StructType schema) {
    this.function = function;
    this.schema = schema;
  }

  /** Checks one answer's Arrow schema; throws {@link OutputSchemaException} naming the column. */
  void checkSchema(Schema returned) {
    List<Field> fields = returned.getFields();
    StructField[] declared = schema.fields();
    for (int i = 0; i < declared.length; i++) {
      String name = declared[i].name();
      if (i >= fields.size()) {
        throw mismatch(name, "has no column '" + name + "' (it returned " + names(fields) + ")");
      }
      Field field = fields.get(i);
      if (!field.getName().equals(name)) {
        throw mismatch(
            name,
            "returned column '"
                + field.getName()
                + "' where column '"
                + name
                + "' was declared (returned "
                + names(fields)
                + ", declared "
                + List.of(schema.fieldNames())
                + ")");
      }
      DataType type = sparkType(field, name);
      if (!type.sameType(declared[i].dataType())) {
        throw mismatch(
            name,
            "returned column '"
                + name
                + "' as "
                + type.simpleString()
                + " (Arrow "
                + field.getType()
                + "); the declared type is "
                + declared[i].dataType().simpleString());
      }
    }
    if (fields.size() > declared.length) {
      String extra = fields.get(declared.length).getName();
      throw mismatch(
          extra,
          "returned column '"
              + extra
              + "', which the output schema does not declare (declared "
              + List.of(schema.fieldNames())
              + ")");
    }
  }

  /** Checks one batch's values: nulls only in the columns declared nullable. */
  void checkValues(List<FieldVector> vectors) {
    StructField[] declared = schema.fields();
    for (int i = 0; i < declared.length; i++) {
      if (!declared[i].nullable() && vectors.get(i).getNullCount() > 0) {
        throw mismatch(
            declared[i].name(),
            "returned nulls in column '"
                + declared[i].name()
                + "', which is declared not nullable");
      }
    }
  }

  private DataType sparkType(Field field, String name) {
    try {
      return ArrowUtils.fromArrowField(field);
    } catch (RuntimeException e) {
      throw mismatch(
          name,
          "returned column '"
              + name
              + "' of Arrow type "
              + field.getType()
              + ", which Spark cannot read: "
              + e.getMessage());
    }
  }

  private OutputSchemaException mismatch(String column, String what) {
    return new OutputSchemaException(
        column, "The Python function '" + function + "' " + what + ".");
  }

  private static List<String> names(List<Field> fields) {
    return fields.stream().map(Field::getName).toList();
  }
}
