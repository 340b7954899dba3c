package ondisk

import "fmt"

// ObjectType is a DMU object type (dmu_object_type_t): what an object, or a
// block of one, holds.
type ObjectType uint8

// The object types this package interprets; see ObjectType.String for all.
const (
	TypeNone               ObjectType = 0
	TypeObjectDirectory    ObjectType = 1
	TypeObjectArray        ObjectType = 2
	TypePackedNVList       ObjectType = 3
	TypePackedNVListSize   ObjectType = 4
	TypeDnode              ObjectType = 10
	TypeObjset             ObjectType = 11
	TypeDSLDir             ObjectType = 12
	TypeDSLDirChildMap     ObjectType = 13
	TypeDSLDSSnapMap       ObjectType = 14
	TypeDSLProps           ObjectType = 15
	TypeDSLDataset         ObjectType = 16
	TypeZnode              ObjectType = 17
	TypeOldACL             ObjectType = 18
	TypePlainFileContents  ObjectType = 19
	TypeDirectoryContents  ObjectType = 20
	TypeMasterNode         ObjectType = 21
	TypeUnlinkedSet        ObjectType = 22
	TypeZvol               ObjectType = 23
	TypeZvolProp           ObjectType = 24
	TypeACL                ObjectType = 33
	TypeSA                 ObjectType = 44
	TypeSAMasterNode       ObjectType = 45
	TypeSAAttrRegistration ObjectType = 46
	TypeSAAttrLayouts      ObjectType = 47
	// NumLegacyTypes is DMU_OT_NUMTYPES: types at or above it (and below
	// 0x80) are invalid.
	NumLegacyTypes ObjectType = 54
)

// Flags of the "new" object types (DMU_OTN_*), which have bit 7 set.
const (
	otNewType   = 0x80
	otMetadata  = 0x40
	otEncrypted = 0x20
	otBswapMask = 0x1f
	bswapZAP    = 4 // DMU_BSWAP_ZAP
)

// objectTypeInfo mirrors OpenZFS's dmu_ot table: name, metadata, encrypted
// when the dataset is, and whether the object is a ZAP.
var objectTypeInfo = [NumLegacyTypes]struct {
	name      string
	metadata  bool
	encrypted bool
	zap       bool
}{
	{"unallocated", true, false, false},
	{"object directory", true, false, true},
	{"object array", true, false, false},
	{"packed nvlist", true, false, false},
	{"packed nvlist size", true, false, false},
	{"bpobj", true, false, false},
	{"bpobj header", true, false, false},
	{"SPA space map header", true, false, false},
	{"SPA space map", true, false, false},
	{"ZIL intent log", true, true, false},
	{"DMU dnode", true, true, false},
	{"DMU objset", true, false, false},
	{"DSL directory", true, false, false},
	{"DSL directory child map", true, false, true},
	{"DSL dataset snap map", true, false, true},
	{"DSL props", true, false, true},
	{"DSL dataset", true, false, false},
	{"ZFS znode", true, false, false},
	{"ZFS V0 ACL", true, true, false},
	{"ZFS plain file", false, true, false},
	{"ZFS directory", true, true, true},
	{"ZFS master node", true, false, true},
	{"ZFS delete queue", true, true, true},
	{"zvol object", false, true, false},
	{"zvol prop", true, false, true},
	{"other uint8[]", false, true, false},
	{"other uint64[]", false, true, false},
	{"other ZAP", true, false, true},
	{"persistent error log", true, false, true},
	{"SPA history", true, false, false},
	{"SPA history offsets", true, false, false},
	{"Pool properties", true, false, true},
	{"DSL permissions", true, false, true},
	{"ZFS ACL", true, true, false},
	{"ZFS SYSACL", true, true, false},
	{"FUID table", true, true, false},
	{"FUID table size", true, false, false},
	{"DSL dataset next clones", true, false, true},
	{"scan work queue", true, false, true},
	{"ZFS user/group/project used", true, true, true},
	{"ZFS user/group/project quota", true, true, true},
	{"snapshot refcount tags", true, false, true},
	{"DDT ZAP algorithm", true, false, true},
	{"DDT statistics", true, false, true},
	{"System attributes", true, true, false},
	{"SA master node", true, true, true},
	{"SA attr registration", true, true, true},
	{"SA attr layouts", true, true, true},
	{"scan translations", true, false, true},
	{"deduplicated block", false, true, false},
	{"DSL deadlist map", true, false, true},
	{"DSL deadlist map hdr", true, false, false},
	{"DSL dir clones", true, false, true},
	{"bpobj subobj", true, false, false},
}

// Valid reports whether t is a known type.
func (t ObjectType) Valid() bool {
	if t&otNewType != 0 {
		return t&otBswapMask <= bswapZAP
	}
	return t < NumLegacyTypes
}

// Metadata reports whether blocks of this type are metadata.
func (t ObjectType) Metadata() bool {
	if t&otNewType != 0 {
		return t&otMetadata != 0
	}
	return t < NumLegacyTypes && objectTypeInfo[t].metadata
}

// Encrypted reports whether blocks of this type are encrypted in an
// encrypted dataset (DMU_OT_IS_ENCRYPTED).
func (t ObjectType) Encrypted() bool {
	if t&otNewType != 0 {
		return t&otEncrypted != 0
	}
	return t < NumLegacyTypes && objectTypeInfo[t].encrypted
}

// ZAP reports whether objects of this type are ZAP objects.
func (t ObjectType) ZAP() bool {
	if t&otNewType != 0 {
		return t&otBswapMask == bswapZAP
	}
	return t < NumLegacyTypes && objectTypeInfo[t].zap
}

// String returns the name zdb prints for the type.
func (t ObjectType) String() string {
	if t&otNewType != 0 {
		kinds := [...]string{"uint8", "uint16", "uint32", "uint64", "zap"}
		b := int(t & otBswapMask)
		if b > bswapZAP {
			return fmt.Sprintf("type(%d)", t)
		}
		s := kinds[b]
		if t&otEncrypted != 0 {
			s += " enc"
		}
		if t&otMetadata != 0 {
			return s + " metadata"
		}
		return s + " data"
	}
	if t < NumLegacyTypes {
		return objectTypeInfo[t].name
	}
	return fmt.Sprintf("type(%d)", t)
}
