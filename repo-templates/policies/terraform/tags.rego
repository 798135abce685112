# Every taggable azurerm resource (one whose schema has `tags`) carries the
# platform's six tags with non-empty values.
package terraform.tags

import data.lib.terraform as tf
import rego.v1

required := ["createdBy", "environment", "project", "region", "costCenter", "owner"]

deny contains {"policy": "azure.required-tags", "resource": rc.address, "msg": msg} if {
	some rc in tf.changes
	"tags" in object.keys(rc.change.after)
	not rc.change.after_unknown.tags == true
	missing := [key | some key in required; not has_value(rc.change.after.tags, key)]
	count(missing) > 0
	msg := sprintf("%s lacks required tags: %s", [rc.address, concat(", ", missing)])
}

has_value(tags, key) if {
	is_object(tags)
	value := tags[key]
	is_string(value)
	trim_space(value) != ""
}
