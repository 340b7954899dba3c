package zpool_test

// The transcripts the examples replay (see replay): what zfs and zpool
// printed when each example ran against real ZFS, the commands of OpenZFS
// 2.1.11 on the 2.3.2 kernel module. The disks are 256 MiB files named
// /dev/sdb to /dev/sdh; each example starts from a fresh pool made by
//
//	zpool create -o cachefile=none -m /mnt/tank tank mirror sdb sdc
//	zfs create tank/home
//	# write 40 MiB of random data into tank/home
//
// except ExampleClient_Create, which starts with no pool. For
// ExampleClient_Status the pool was then exported, 200 MiB of sdb
// overwritten with random data, and the pool imported and scrubbed.

// recordedPools replays ExampleClient_Pools.
var recordedPools = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool get -H -p all", stdout: "tank\tsize\t251658240\t-\ntank\tcapacity\t16\t-\ntank\taltroot\t-\tdefault\ntank\thealth\tONLINE\t-\ntank\tguid\t1302018004407396122\t-\ntank\tversion\t-\tdefault\ntank\tbootfs\t-\tdefault\ntank\tdelegation\ton\tdefault\ntank\tautoreplace\toff\tdefault\ntank\tcachefile\tnone\tlocal\ntank\tfailmode\twait\tdefault\ntank\tlistsnapshots\toff\tdefault\ntank\tautoexpand\toff\tdefault\ntank\tdedupratio\t1.00\t-\ntank\tfree\t209509888\t-\ntank\tallocated\t42148352\t-\ntank\treadonly\toff\t-\ntank\tashift\t0\tdefault\ntank\tcomment\t-\tdefault\ntank\texpandsize\t-\t-\ntank\tfreeing\t0\t-\ntank\tfragmentation\t8\t-\ntank\tleaked\t0\t-\ntank\tmultihost\toff\tdefault\ntank\tcheckpoint\t-\t-\ntank\tload_guid\t9251805265761212078\t-\ntank\tautotrim\toff\tdefault\ntank\tcompatibility\toff\tdefault\ntank\tfeature@async_destroy\tenabled\tlocal\ntank\tfeature@empty_bpobj\tactive\tlocal\ntank\tfeature@lz4_compress\tactive\tlocal\ntank\tfeature@multi_vdev_crash_dump\tenabled\tlocal\ntank\tfeature@spacemap_histogram\tactive\tlocal\ntank\tfeature@enabled_txg\tactive\tlocal\ntank\tfeature@hole_birth\tactive\tlocal\ntank\tfeature@extensible_dataset\tactive\tlocal\ntank\tfeature@embedded_data\tactive\tlocal\ntank\tfeature@bookmarks\tenabled\tlocal\ntank\tfeature@filesystem_limits\tenabled\tlocal\ntank\tfeature@large_blocks\tenabled\tlocal\ntank\tfeature@large_dnode\tenabled\tlocal\ntank\tfeature@sha512\tenabled\tlocal\ntank\tfeature@skein\tenabled\tlocal\ntank\tfeature@edonr\tenabled\tlocal\ntank\tfeature@userobj_accounting\tactive\tlocal\ntank\tfeature@encryption\tenabled\tlocal\ntank\tfeature@project_quota\tactive\tlocal\ntank\tfeature@device_removal\tenabled\tlocal\ntank\tfeature@obsolete_counts\tenabled\tlocal\ntank\tfeature@zpool_checkpoint\tenabled\tlocal\ntank\tfeature@spacemap_v2\tactive\tlocal\ntank\tfeature@allocation_classes\tenabled\tlocal\ntank\tfeature@resilver_defer\tenabled\tlocal\ntank\tfeature@bookmark_v2\tenabled\tlocal\ntank\tfeature@redaction_bookmarks\tenabled\tlocal\ntank\tfeature@redacted_datasets\tenabled\tlocal\ntank\tfeature@bookmark_written\tenabled\tlocal\ntank\tfeature@log_spacemap\tactive\tlocal\ntank\tfeature@livelist\tenabled\tlocal\ntank\tfeature@device_rebuild\tenabled\tlocal\ntank\tfeature@zstd_compress\tenabled\tlocal\ntank\tfeature@draid\tenabled\tlocal\n"},
}

// recordedStatus replays ExampleClient_Status.
var recordedStatus = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool status -v -p -s -t -i tank", stdout: "  pool: tank\n state: ONLINE\nstatus: One or more devices has experienced an unrecoverable error.  An\n\tattempt was made to correct the error.  Applications are unaffected.\naction: Determine if the device needs to be replaced, and clear the errors\n\tusing 'zpool clear' or replace the device with 'zpool replace'.\n   see: https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-9P\n  scan: scrub repaired 36.3M in 00:00:19 with 0 errors on Thu Dec  3 13:45:28 2026\nconfig:\n\n\tNAME          STATE     READ WRITE CKSUM  SLOW\n\ttank          ONLINE       0     0     0     0\n\t  mirror-0    ONLINE       0     0     0     0\n\t    /dev/sdb  ONLINE       0     0   343     0  (uninitialized)  (untrimmed)\n\t    /dev/sdc  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\nerrors: No known data errors\n"},
}

// recordedCreate replays ExampleClient_Create.
var recordedCreate = []exchange{
	{cmd: "zpool create -n -o ashift=12 -O compression=zstd -m /mnt/tank tank raidz1 sdb sdc sdd log mirror sde sdf cache sdg spare sdh", stdout: "would create 'tank' with the following layout:\n\n\ttank\n\t  raidz1\n\t    /dev/sdb\n\t    /dev/sdc\n\t    /dev/sdd\n\tlogs\n\t  mirror\n\t    /dev/sde\n\t    /dev/sdf\n\tcache\n\t  /dev/sdg\n\tspares\n\t  /dev/sdh\n"},
	{cmd: "zpool create -o ashift=12 -O compression=zstd -m /mnt/tank tank raidz1 sdb sdc sdd log mirror sde sdf cache sdg spare sdh"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool status -v -p -s -t -i tank", stdout: "  pool: tank\n state: ONLINE\nconfig:\n\n\tNAME          STATE     READ WRITE CKSUM  SLOW\n\ttank          ONLINE       0     0     0     0\n\t  raidz1-0    ONLINE       0     0     0     0\n\t    /dev/sdb  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\t    /dev/sdc  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\t    /dev/sdd  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\tlogs\t\n\t  mirror-1    ONLINE       0     0     0     0\n\t    /dev/sde  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\t    /dev/sdf  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\tcache\n\t  /dev/sdg    ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\tspares\n\t  /dev/sdh    AVAIL     (uninitialized)  (untrimmed)\n\nerrors: No known data errors\n"},
	{cmd: "zpool create -o ashift=12 -O compression=zstd -m /mnt/tank tank raidz1 sdb sdc sdd log mirror sde sdf cache sdg spare sdh", stderr: "invalid vdev specification\nuse '-f' to override the following errors:\n/dev/sdb is part of active pool 'tank'\n/dev/sdc is part of active pool 'tank'\n/dev/sdd is part of active pool 'tank'\n/dev/sde is part of active pool 'tank'\n/dev/sdf is part of active pool 'tank'\n/dev/sdg is part of unknown pool 'tank'\n", exit: 1},
}

// recordedScrub replays ExampleClient_Scrub.
var recordedScrub = []exchange{
	{cmd: "zpool scrub tank"},
	{cmd: "zpool wait -t scrub tank"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool status -v -p -s -t -i tank", stdout: "  pool: tank\n state: ONLINE\n  scan: scrub repaired 0B in 00:00:04 with 0 errors on Thu Dec  3 13:59:10 2026\nconfig:\n\n\tNAME          STATE     READ WRITE CKSUM  SLOW\n\ttank          ONLINE       0     0     0     0\n\t  mirror-0    ONLINE       0     0     0     0\n\t    /dev/sdb  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\t    /dev/sdc  ONLINE       0     0     0     0  (uninitialized)  (untrimmed)\n\nerrors: No known data errors\n"},
}

// recordedExport replays ExampleClient_Export.
var recordedExport = []exchange{
	{cmd: "zpool export tank"},
	{cmd: "zpool import -d /dev", stdout: "   pool: tank\n     id: 1410652586924372549\n  state: ONLINE\n action: The pool can be imported using its name or numeric identifier.\n config:\n\n\ttank          ONLINE\n\t  mirror-0    ONLINE\n\t    /dev/sdb  ONLINE\n\t    /dev/sdc  ONLINE\n"},
	{cmd: "zpool import -d /dev tank backup"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool get -H -p all backup", stdout: "backup\tsize\t251658240\t-\nbackup\tcapacity\t16\t-\nbackup\taltroot\t-\tdefault\nbackup\thealth\tONLINE\t-\nbackup\tguid\t1410652586924372549\t-\nbackup\tversion\t-\tdefault\nbackup\tbootfs\t-\tdefault\nbackup\tdelegation\ton\tdefault\nbackup\tautoreplace\toff\tdefault\nbackup\tcachefile\t-\tdefault\nbackup\tfailmode\twait\tdefault\nbackup\tlistsnapshots\toff\tdefault\nbackup\tautoexpand\toff\tdefault\nbackup\tdedupratio\t1.00\t-\nbackup\tfree\t209517568\t-\nbackup\tallocated\t42140672\t-\nbackup\treadonly\toff\t-\nbackup\tashift\t0\tdefault\nbackup\tcomment\t-\tdefault\nbackup\texpandsize\t-\t-\nbackup\tfreeing\t0\t-\nbackup\tfragmentation\t12\t-\nbackup\tleaked\t0\t-\nbackup\tmultihost\toff\tdefault\nbackup\tcheckpoint\t-\t-\nbackup\tload_guid\t14325350999855622992\t-\nbackup\tautotrim\toff\tdefault\nbackup\tcompatibility\toff\tdefault\nbackup\tfeature@async_destroy\tenabled\tlocal\nbackup\tfeature@empty_bpobj\tactive\tlocal\nbackup\tfeature@lz4_compress\tactive\tlocal\nbackup\tfeature@multi_vdev_crash_dump\tenabled\tlocal\nbackup\tfeature@spacemap_histogram\tactive\tlocal\nbackup\tfeature@enabled_txg\tactive\tlocal\nbackup\tfeature@hole_birth\tactive\tlocal\nbackup\tfeature@extensible_dataset\tactive\tlocal\nbackup\tfeature@embedded_data\tactive\tlocal\nbackup\tfeature@bookmarks\tenabled\tlocal\nbackup\tfeature@filesystem_limits\tenabled\tlocal\nbackup\tfeature@large_blocks\tenabled\tlocal\nbackup\tfeature@large_dnode\tenabled\tlocal\nbackup\tfeature@sha512\tenabled\tlocal\nbackup\tfeature@skein\tenabled\tlocal\nbackup\tfeature@edonr\tenabled\tlocal\nbackup\tfeature@userobj_accounting\tactive\tlocal\nbackup\tfeature@encryption\tenabled\tlocal\nbackup\tfeature@project_quota\tactive\tlocal\nbackup\tfeature@device_removal\tenabled\tlocal\nbackup\tfeature@obsolete_counts\tenabled\tlocal\nbackup\tfeature@zpool_checkpoint\tenabled\tlocal\nbackup\tfeature@spacemap_v2\tactive\tlocal\nbackup\tfeature@allocation_classes\tenabled\tlocal\nbackup\tfeature@resilver_defer\tenabled\tlocal\nbackup\tfeature@bookmark_v2\tenabled\tlocal\nbackup\tfeature@redaction_bookmarks\tenabled\tlocal\nbackup\tfeature@redacted_datasets\tenabled\tlocal\nbackup\tfeature@bookmark_written\tenabled\tlocal\nbackup\tfeature@log_spacemap\tactive\tlocal\nbackup\tfeature@livelist\tenabled\tlocal\nbackup\tfeature@device_rebuild\tenabled\tlocal\nbackup\tfeature@zstd_compress\tenabled\tlocal\nbackup\tfeature@draid\tenabled\tlocal\n"},
}

// recordedIostat replays ExampleClient_IostatStream.
var recordedIostat = []exchange{
	{cmd: "zpool iostat -p -T u -H tank 1", stdout: "1796306797\ntank\t42149376\t209508864\t0\t19\t388\t720913\n1796306798\ntank\t42149376\t209508864\t0\t0\t0\t0\n1796306799\ntank\t42149376\t209508864\t0\t0\t0\t0\n", exit: -1},
}

// recordedNew replays ExampleNew.
var recordedNew = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zpool get -H -p health tank", stdout: "tank\thealth\tONLINE\t-\n"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank", stdout: "tank\tfilesystem\t13307169384582310906\t1\t1796305035\n"},
}
