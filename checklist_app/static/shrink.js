// A photo as the app keeps it: scaled so its longest side is at most 1600 px and re-encoded as JPEG
// on a canvas, which also drops EXIF and its GPS position. Used by checklist photos (photos.js) and
// the photos of a corrective action's fix (action-photos.js). The server cleans every upload again.
(function () {
  'use strict';
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;
  window.ShrinkPhoto = function (file) {
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) resolve(blob); else reject(new Error('encode')); }, 'image/jpeg', QUALITY);
      });
    });
  };
})();
