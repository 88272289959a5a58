"""The example answers of the AX-ACS BS-HTTP v1.16 specification, as raw JSON text.

Copied from /work/shared/protocol/ax-acs-bs-http-v1.16.zh.txt with keys, values,
their order and the duplicated keys kept. Only what makes the examples invalid
JSON was repaired, and each repair is noted beside the payload:

* page breaks of the PDF cut some objects in two; the pieces are joined (and the
  braces the renderer added at a page end are dropped);
* trailing commas (``"userType": 2 },`` before ``]``) are removed;
* #5 misses the comma after ``cardData``; it is added.

A real server emits valid JSON; these repairs remove typesetting, not quirks.
"""

from __future__ import annotations

# 1 usertypes: keys userId/userName (the field table says userId/typeName).
USER_TYPES = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "userId" : 1897,
      "userName" : "职工"
    },
    {
      "userId" : 1898,
      "userName" : "车辆"
    },
    {
      "userId" : 1899,
      "userName" : "临时施工人员"
    },
    {
      "userId" : 1900,
      "userName" : "其他人员"
    },
    {
      "userId" : 1990,
      "userName" : "临时施工车辆"
    }
  ]
}"""

# 2 orgs: a time with the ".0" suffix.
ORGS = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "orgId" : 1,
      "orgName" : "公司",
      "orgCode" : "",
      "parentId" : 0,
      "parentName" : "",
      "gmtCreate": "2018-03-23 11:33:24.0",
      "gmtModify": "2020-03-18 16:33:29"
    }
  ]
}"""

# 3 org/name/{name}: parentId is the string "0".
ORG_BY_NAME = """{
  "status": 0,
  "msg": "success",
  "data": {
    "orgId": 1,
    "orgName": "测试部门",
    "orgCode": "TD",
    "parentId": "0",
    "parentName": ""
  }
}"""

# 4, 11, 13, 15, 17: counts.
COUNT = """{
  "status" : 0,
  "msg" : "success",
  "data" : 22
}"""

# 5 users: the two pieces of the page break joined; userId repeated (the second
# is the person type) with userTypeName; comma added after cardData; trailing
# commas removed.
USERS = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "userId" : 20173,
      "userNo" : "12700106",
      "userName" : "张三",
      "sex" : 0,
      "orgId" : 3658,
      "orgName" : "qt 洗衣服务部",
      "email" : "",
      "mobile" : "",
      "status" : 1,
      "idCard" : "",
"userId": 1899,
"userTypeName": "临时施工人员",
"gmtBirthday": "",
"jobPosition": "员工",
"plateNumber": "",
"address": "",
"company": "",
"registeredResidence": "",
"gmtExpireDate": "",
"educatingPerson": "",
"gmtEducate": "",
"gmtSafetyEducateStart": "",
"gmtSafetyEducateEnd": "",
"constructionProjectName": "",
"constructionLocation": "",
"gmtConstructionStart": "",
"gmtConstructionEnd": "",
"constructionPersonInCharge": "",
"safetyPersonInCharge": "",
"mobilePersonInCharge": "",
"phonePersonInCharge": "",
"carDriverName": "",
"carDriverPassport": "",
"carTypeName": "",
"carName": "",
"carRatedLoad": "",
"carServiceTypeName": "",
"remark": "",
"gmtCreate": "2018-03-09 15:06:19.0",
"gmtModify": "2018-03-09 15:06:19.0",
"cardState": 1,
"cardCount": 1,
"cardNos": "17435103",
"gmtCardExpireDate": "2099-12-31 23:59:59",
"cardTypeId": 5,
"cardGroupId": 3,
"cardPassword": "",
"cardData": "upload/faceimages/f7494baec995407d84ed1c836544c006.jpg",
"photoUrl": "upload/image/aa.jpg"
}
]
}"""

# 6 user?usertype=&userno= : userId twice (289 = the user, 1897 = the type) and
# typeName; the page break joined.
USER = """{
  "status" : 0,
  "msg" : "success",
  "data" : {
    "userId" : 289,
    "userNo" : "300005",
    "userName" : "买买提",
    "sex" : 0,
    "orgId" : 2483,
    "orgName" : "机关党群工作部",
    "email" : "",
    "mobile" : "",
    "status" : 1,
    "idCard" : "",
    "userId" : 1897,
    "typeName" : "职工",
    "gmtBirthday" : "",
    "jobPosition" : "员工",
"plateNumber" : "",
"address" : "",
"company" : "",
"registeredResidence" : "",
"gmtExpireDate" : "",
"educatingPerson" : "",
"gmtEducate" : "",
"gmtSafetyEducateStart" : "",
"gmtSafetyEducateEnd" : "",
"constructionProjectName" : "",
"constructionLocation" : "",
"gmtConstructionStart" : "",
"gmtConstructionEnd" : "",
"constructionPersonInCharge" : "",
"safetyPersonInCharge" : "",
"mobilePersonInCharge" : "",
"phonePersonInCharge" : "",
"carDriverName" : "",
"carDriverPassport" : "",
"carTypeName" : "",
"carName" : "",
"carRatedLoad" : "",
"carServiceTypeName" : "",
"remark" : "",
"gmtCreate": "2018-03-23 11:33:24.0",
"gmtModify": "2020-03-18 16:33:29",
"cardState": 1,
"cardCount": 3,
"cardNos": "22,111,10000033",
"gmtCardExpireDate": "2099-12-31 23:59:59",
"cardTypeId": 5,
"cardGroupId": 3,
"cardPassword": "",
"cardData":
"upload/faceimages/f7494baec995407d84ed1c836544c006.jpg" }
}"""

# 7 user/userno/{userno}: as #6; the page break (which the renderer closed with
# "}}" after safetyPersonInCharge) joined.
USER_BY_USERNO = """{
  "status" : 0,
  "msg" : "success",
  "data" : {
    "userId" : 289,
    "userNo" : "300005",
    "userName" : "买买提",
    "sex" : 0,
    "orgId" : 2483,
    "orgName" : "机关党群工作部",
    "email" : "",
    "mobile" : "",
    "status" : 1,
    "idCard" : "",
    "userId" : 1897,
    "typeName" : "职工",
    "gmtBirthday" : "",
    "jobPosition" : "员工",
    "plateNumber" : "",
    "address" : "",
    "company" : "",
    "registeredResidence" : "",
    "gmtExpireDate" : "",
    "educatingPerson" : "",
    "gmtEducate" : "",
    "gmtSafetyEducateStart" : "",
    "gmtSafetyEducateEnd" : "",
    "constructionProjectName" : "",
    "constructionLocation" : "",
    "gmtConstructionStart" : "",
    "gmtConstructionEnd" : "",
    "constructionPersonInCharge" : "",
    "safetyPersonInCharge" : "",
"mobilePersonInCharge" : "",
"phonePersonInCharge" : "",
"carDriverName" : "",
"carDriverPassport" : "",
"carTypeName" : "",
"carName" : "",
"carRatedLoad" : "",
"carServiceTypeName" : "",
"remark" : "",
"gmtCreate": "2018-03-23 11:33:24.0",
"gmtModify": "2020-03-18 16:33:29",
"cardState": 1,
"cardCount": 3,
"cardNos": "22,111,10000033",
"gmtCardExpireDate": "2099-12-31 23:59:59",
"cardTypeId": 5,
"cardGroupId": 3,
"cardPassword": "",
"cardData":
"upload/faceimages/f7494baec995407d84ed1c836544c006.jpg" }
}"""

# 8 user/userid/{userid}: userTypeId/userTypeName instead of a second userId;
# the page breaks joined.
USER_BY_USERID = """{
  "status" : 0,
  "msg" : "success",
  "data" : {
    "userId" : 289,
    "userNo" : "300005",
    "userName" : "买买提",
    "sex" : 0,
"orgId" : 2483,
"orgName" : "机关党群工作部",
"email" : "",
"mobile" : "",
"status" : 1,
"idCard" : "",
"userTypeId" : 1897,
"userTypeName" : "职工",
"gmtBirthday" : "",
"jobPosition" : "员工",
"plateNumber" : "",
"address" : "",
"company" : "",
"registeredResidence" : "",
"gmtExpireDate" : "",
"educatingPerson" : "",
"gmtEducate" : "",
"gmtSafetyEducateStart" : "",
"gmtSafetyEducateEnd" : "",
"constructionProjectName" : "",
"constructionLocation" : "",
"gmtConstructionStart" : "",
"gmtConstructionEnd" : "",
"constructionPersonInCharge" : "",
"safetyPersonInCharge" : "",
"mobilePersonInCharge" : "",
"phonePersonInCharge" : "",
"carDriverName" : "",
"carDriverPassport" : "",
"carTypeName" : "",
"carName" : "",
"carRatedLoad" : "",
"carServiceTypeName" : "",
"remark" : "",
"gmtCreate": "2018-03-23 11:33:24.0",
"gmtModify": "2020-03-18 16:33:29",
"cardState": 1,
"cardCount": 3,
"cardNos": "22,111,10000033",
"gmtCardExpireDate": "2099-12-31 23:59:59",
"cardTypeId": 5,
"cardGroupId": 3,
    "cardPassword": "",
    "cardData":
"upload/faceimages/f7494baec995407d84ed1c836544c006.jpg"  }
}"""

# 9 cardgroups: ids are strings.
CARD_GROUPS = """{
  "status": 0,
  "msg": "success",
  "data": [
    {
      "id": "1",
      "name": "特权卡"
    },
    {
      "id": "2",
      "name": "胁迫卡"
    },
    {
      "id": "3",
      "name": "普通组"
    }
  ]
}"""

# 10 cardtypes: ids are strings.
CARD_TYPES = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "id" : "1",
      "name" : "韦根 26"
    },
    {
      "id" : "2",
      "name" : "韦根 34"
    },
    {
      "id" : "3",
      "name" : "人脸识别"
    }
  ]
}"""

# 12 swipecardrecords (16 and 18 show the same record): trailing comma removed.
SWIPE_RECORDS = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "recordId": 29,
      "gmtSwipeCardTime": "2019-04-04 18:52:46",
      "areaId": 160,
      "areaName": "test",
      "deviceId": "3aec7c4e58ab4a3dbd56deb98cf4bbd6",
      "deviceName": "192.168.1.64",
      "doorId": "132ccea02e5f4498be494730fba3d9a6",
      "doorName": "东门",
      "acsEventValue": 3,
      "acsEventName": "外部刷卡开门",
      "isSwipeCard": 1,
      "isOpenDoor": 1,
      "inOrOut": 1,
      "isAlarm": 0,
      "accessBlockedReason": 0,
      "cardNo": "888888",
      "cardState": 1,
      "userId": 3,
      "userNo": "888888",
      "userName": "888888",
      "userOrgId": 0,
      "userOrgName": "",
      "plateNumber": "",
      "userType": 2    }
  ]
}"""

# 14 swipecardrecords/byid/: the page break joined.
SWIPE_RECORDS_BY_ID = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "recordId": 29,
      "gmtSwipeCardTime": "2019-04-04 18:52:46",
      "areaId": 160,
      "areaName": "test",
      "deviceId": "3aec7c4e58ab4a3dbd56deb98cf4bbd6",
      "deviceName": "192.168.1.64",
      "doorId": "132ccea02e5f4498be494730fba3d9a6",
      "doorName": "东门",
      "acsEventValue": 3,
      "acsEventName": "外部刷卡开门",
      "isSwipeCard": 1,
      "isOpenDoor": 1,
      "inOrOut": 1,
      "isAlarm": 0,
      "accessBlockedReason": 0,
      "cardNo": "888888",
      "cardState": 1,
      "userId": 3,
    "userNo": "888888",
    "userName": "888888",
    "userOrgId": 0,
    "userOrgName": "",
    "plateNumber": "",
    "userType": 2
  }
]
}"""

# 19 acs/alarmevent/notconfirmandclear: many nulls; the page break joined.
ALARMS = """{
  "status": 0,
  "msg": "success",
  "data": [
    {
      "eventId": 990,
      "deviceId": "12fb0b8ff5954f569fbc4fbeb62fd458",
      "subDeviceId": "214ddb7d639940099341d1023f9aabda",
      "areaName": "工厂",
      "deviceName": "192.168.2.64",
      "subDeviceName": "2 门[2]",
      "eventTime": "2022-05-24 18:28:07",
      "eventName": "非法开门",
      "orgName": "",
      "userNo": "",
      "userName": "",
      "userType": null,
      "cardNo": "0",
      "cardName": null,
        "plateNumber": null,
        "cardState": 0,
        "cardGroup": null,
        "cardType": null,
        "isAlarm": 1,
        "alarmClass": "1",
        "accessBlockedReason": 0,
        "alarmEventTroubleId": 2873,
        "bkColor": "#ea5353",
        "tColor": "#4f4a4a",
        "photoUrl": null,
        "userTypeName": null,
        "confirmOpenDoorId": null,
        "isAlarmTop": 0,
        "userId": 0,
        "areaId": 162,
        "field1": null,
        "field2": null,
        "field3": null,
        "field4": null,
        "field5": null,
        "confirmState": 0,
        "alarmClassPriority": 254,
        "alarmClearStatus": 0,
        "alarmStatus": 0,
        "alarmRecoverStatus": 1,
        "eventType": 25
    }
]
}"""

# 20 acsrecords/areausers: gmtAcsevttime (the table says gmtAcsevertime) and
# areaId (the table says areaid); the page break joined, trailing comma removed.
AREA_USERS = """{
  "status": 0,
  "msg": "success",
  "data": [
    {
      "uaid": 2,
      "gmtAcsevttime": "2022-09-02 12:26:04",
      "deviceId": "12fb0b8ff5954f569fbc4fbeb62fd458",
      "deviceName": "192.168.2.64",
      "subdeviceId": "7dd55168b4d4439b9923797e87da1cd4",
      "subdeviceName": "1A002SE",
      "areaId": 161,
      "areaName": "食堂",
      "acsevValue": 22,
      "acsevName": "外部无效卡",
      "cardNo": "1",
      "cardState": 1,
      "userId": 77875,
      "userNo": "F4567",
      "userName": "冯生",
      "userOrgId": 4185,
      "userOrgName": "门禁授权用户管理",
      "gmtCreatetime": "2020-12-27 15:25:23",
      "cardname": null,
      "cardtype": "门禁锁人脸",
      "cardgroup": "普通组",
      "userType": 1897,
      "flag": 0,
      "handleState": 0,
"deviceSource": "acs",
"field1": "",
"field2": "",
"field3": "",
"option1": 0,
"option2": 0,
"option3": 0,
"userTypeName": "职工",
"phone": "111"
}
]
}"""

# 21 areas.
AREAS = """{
  "status": 0,
  "msg": "success",
  "data": [
    {
      "areaId": 1,
      "areaName": "公司机关",
      "areaCode": "公司机关",
      "parentId": 0
    }
  ]
}"""

# 22 acs/devices.
DEVICES = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "deviceId" : "3aec7c4e58ab4a3dbd56deb98cf4bbd6",
      "deviceName" : "192.168.2.64",
      "areaId" : 162,
      "areaName" : "BC",
      "deviceSn" : "8791",
      "commAddr" : "192.168.2.64",
      "isOnline" : 1,
      "commErrorMsg" : ""
    }
  ]
}"""

# 23 acs/device/doors and 24 acs/device/doors/areaid/{id}: trailing comma removed.
DOORS = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "doorId": "6e9b3dad91b049598f142fc02c50d63d",
      "doorName": "门 1",
      "doorAddr": "1",
      "areaId": 1,
      "areaName": "东区",
      "deviceId": "0580ad81acd34ab5bbaf8946165b4a64",
      "deviceName": "办公楼大门"
    }
  ]
}"""

# 25 acs/device/door/state/{doorid}: the flags at the TOP level; the page break
# joined, trailing comma removed.
DOOR_STATE = """{
  "status" : 0,
  "msg" : "success",
"isOnline" : 1,
"isOpen" : 0
}"""

# 26, 27, 28 door commands: an envelope without data.
COMMAND_OK = """{
  "status" : 0,
  "msg" : "success"
}"""

# 29 acs/device/eventcache/swipecard/{ids}: no inOrOut, no event value; the page
# break joined.
REALTIME_SWIPES = """{
  "status": 0,
  "msg": "success",
  "data": [
    {
      "eventId": 3311,
      "deviceId": "3aec7c4e58ab4a3dbd56deb98cf4bbd6",
    "subDeviceId" : "ffa67848670e42869e34795471ce7b4d",
    "areaName" : "BC",
    "deviceName" : "192.168.2.64",
    "subDeviceName" : "门[1]",
    "eventTime" : "2020-02-25 11:52:14",
    "eventName" : "外部无效卡",
    "orgName" : "门禁授权用户管理",
    "userNo" : "M001124",
    "userName" : "M00112",
    "userType" : 1899,
    "cardNo" : "232376",
    "cardName" : "",
    "plateNumber" : null,
    "cardState" : 1,
    "cardGroup" : "普通组",
    "cardType" : "韦根 34",
    "isAlarm" : 1,
    "alarmClass" : "",
    "accessBlockedReason" : 102
  }
]
}"""

# 30 useraccessrecords.
USER_ACCESS_RECORDS = """{
  "status" : 0,
  "msg" : "success",
  "data" : [
    {
      "deviceName" : "192.168.1.64 门[2]",
      "deviceId" : "b8982e35420c4b33ae918be4d3533751",
      "areaId" : 160,
      "areaName" : "test",
      "evValue" : 3,
      "evName" : "外部刷卡开门",
      "userId" : 4,
      "userName" : "99999",
      "userNo" : "99999",
      "accessPassport" : "99999",
      "orgName" : null,
      "evTime" : "2019-04-04 19:04:58",
      "inOut" : 1,
      "accessType" : 1
    }
  ]
}"""
